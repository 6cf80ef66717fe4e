import type {
  ListerWatcher,
  ListOptions,
  ListResult,
  WatchOptions,
  WatchSink,
} from '../../src/informer/list-watch.js';
import type { Pod } from './fixtures.js';

interface ActiveWatch {
  readonly sink: WatchSink<Pod>;
  readonly fail: (error: Error) => void;
}

/**
 * FakeControllerSource is a port of client-go's tools/cache/testing FakeControllerSource: an
 * in-memory ListerWatcher whose add/modify/delete stamp a new resourceVersion on the object and
 * tell every open watch; a new watch is pre-populated with every change after the
 * resourceVersion it starts from. The *DropWatch variants change the state without telling
 * watches, so the change is only seen by a relist; resetWatch() breaks every open watch
 * ("simulates connection problems"); listError makes list() fail.
 */
export class FakeControllerSource implements ListerWatcher<Pod> {
  readonly items = new Map<string, Pod>();
  resourceVersion = 0;
  /** listError, when set, is thrown by every list() call. */
  listError: Error | undefined;
  listCalls = 0;
  watchCalls = 0;
  readonly #watches = new Set<ActiveWatch>();
  readonly #changes: Array<{ type: 'Added' | 'Modified' | 'Deleted'; object: Pod }> = [];

  get openWatches(): number {
    return this.#watches.size;
  }

  add(obj: Pod): Pod {
    return this.#change('Added', obj, true);
  }

  modify(obj: Pod): Pod {
    return this.#change('Modified', obj, true);
  }

  delete(obj: Pod): Pod {
    return this.#change('Deleted', obj, true);
  }

  addDropWatch(obj: Pod): Pod {
    return this.#change('Added', obj, false);
  }

  modifyDropWatch(obj: Pod): Pod {
    return this.#change('Modified', obj, false);
  }

  deleteDropWatch(obj: Pod): Pod {
    return this.#change('Deleted', obj, false);
  }

  /** resetWatch breaks every open watch with a connection error. */
  resetWatch(): void {
    for (const watch of [...this.#watches]) {
      this.#watches.delete(watch);
      watch.fail(new Error('connection reset'));
    }
  }

  async list(_options: ListOptions): Promise<ListResult<Pod>> {
    this.listCalls++;
    if (this.listError !== undefined) throw this.listError;
    return { items: [...this.items.values()], resourceVersion: String(this.resourceVersion) };
  }

  watch(sink: WatchSink<Pod>, options: WatchOptions): Promise<void> {
    this.watchCalls++;
    return new Promise<void>((resolve, reject) => {
      const watch: ActiveWatch = { sink, fail: reject };
      const from = Number(options.resourceVersion || '0');
      for (const change of this.#changes) {
        if (Number(change.object.rv) > from) sink(change);
      }
      this.#watches.add(watch);
      const end = (): void => {
        this.#watches.delete(watch);
        resolve();
      };
      if (options.signal.aborted) end();
      else options.signal.addEventListener('abort', end, { once: true });
    });
  }

  #change(type: 'Added' | 'Modified' | 'Deleted', obj: Pod, notify: boolean): Pod {
    const stamped: Pod = { ...obj, rv: String(++this.resourceVersion) };
    if (type === 'Deleted') this.items.delete(stamped.name);
    else this.items.set(stamped.name, stamped);
    if (!notify) return stamped;
    this.#changes.push({ type, object: stamped });
    for (const watch of this.#watches) watch.sink({ type, object: stamped });
    return stamped;
  }
}
