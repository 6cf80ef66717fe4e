import { coerceError } from '../lib/coerce-error.js';
import { Condition } from './condition.js';
import { CycleTracker } from './cycle-tracker.js';
import { ListDiff } from './list-diff.js';
import type {
  Acknowledgeable,
  ListerWatcher,
  ListOptions,
  ListResult,
  VersionFunc,
  WatchOptions,
  WatchSink,
} from './list-watch.js';
import type { KeyFunc } from './store.js';

/** ListFeedOptions configures a ListFeed. */
export interface ListFeedOptions<T> {
  /** Computes an object's key. Required. */
  keyFunc: KeyFunc<T>;
  /** Computes an object's resourceVersion, typically a content hash. Required. */
  versionFunc: VersionFunc<T>;
  /** Identifies the feed. @default 'list-feed' */
  name?: string;
}

/** PushOptions configures one ListFeed.push. */
export interface PushOptions {
  /** Rejects the returned promise with the signal's reason if it aborts before handling. */
  signal?: AbortSignal;
}

interface ActiveWatch<T> {
  readonly sink: WatchSink<T>;
  readonly fail: (error: Error) => void;
}

/**
 * ListFeed is a ListerWatcher fed from outside: the consumer lists on its own schedule and pushes
 * each full list in. It is the seam for one request feeding several informers — pvesphere polls
 * `/cluster/resources` once per cycle and pushes the nodes, guests and storages into three feeds,
 * one per informer (a feed serves a single informer).
 *
 * The first push (and the first after a failure) answers the Reflector's list(), a full replace;
 * later pushes are diffed against the previous one (ListDiff) and only differences are emitted,
 * followed by a Bookmark numbering the push. An empty pushed list deletes everything known;
 * guard against suspicious lists before pushing, not after.
 *
 * push() resolves once the informer has applied that list and every handler has returned from the
 * notifications it produced (the informer acknowledges it), so
 * `await Promise.all([nodes.push(n), guests.push(g), storages.push(s)])` marks the end of a cycle:
 * the moment to write its one transaction. Pushes made while the informer is not watching (before
 * its first list, during its backoff) are superseded by newer ones; they resolve when a newer push
 * is handled.
 *
 * fail(error) reports a failed poll: the informer's error sink gets it, the Reflector backs off,
 * and the next push is applied as a relist (full replace). Nothing is deleted by a failure.
 */
export class ListFeed<T> implements ListerWatcher<T>, Acknowledgeable {
  readonly name: string;
  readonly #diff: ListDiff<T>;
  readonly #cycles = new CycleTracker();
  readonly #cond = new Condition();
  #pending: ListResult<T> | undefined;
  #pendingError: Error | undefined;
  #watch: ActiveWatch<T> | undefined;

  constructor(options: ListFeedOptions<T>) {
    this.name = options.name ?? 'list-feed';
    this.#diff = new ListDiff(options);
  }

  /** lastHandledResourceVersion is the resourceVersion of the last push fully handled. */
  get lastHandledResourceVersion(): string {
    return this.#cycles.lastHandled;
  }

  /**
   * push hands a complete, successful list to the informer and resolves once it is handled (see
   * the class comment). Rejects if a key or version function throws (the informer then relists at
   * the next push) or if options.signal aborts first.
   */
  push(items: readonly T[], options: PushOptions = {}): Promise<void> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const resourceVersion = this.#cycles.issue();
    const handled = this.#cycles.whenHandled(resourceVersion, options.signal);
    const watch = this.#watch;
    if (watch === undefined) {
      this.#pending = { items, resourceVersion };
      this.#cond.broadcast();
      return handled;
    }
    try {
      this.#emit(watch.sink, items, resourceVersion);
    } catch (err) {
      const error = coerceError(err);
      this.fail(error);
      handled.catch(() => {}); // superseded by the rejection below
      return Promise.reject(error);
    }
    return handled;
  }

  /** fail ends the current watch (or the pending list) with `error` (see the class comment). */
  fail(error: Error): void {
    const watch = this.#watch;
    if (watch !== undefined) {
      this.#watch = undefined;
      watch.fail(error);
      return;
    }
    this.#pendingError = error;
    this.#cond.broadcast();
  }

  /** list waits for the next pushed list (or a failure) and makes it the known state. */
  async list(options: ListOptions): Promise<ListResult<T>> {
    for (;;) {
      const error = this.#pendingError;
      if (error !== undefined) {
        this.#pendingError = undefined;
        throw error;
      }
      const pending = this.#pending;
      if (pending !== undefined) {
        this.#pending = undefined;
        this.#diff.reset(pending.items);
        return pending;
      }
      options.signal.throwIfAborted();
      await this.#cond.wait(options.signal);
    }
  }

  /** watch applies every later push as a diff until options.signal aborts or fail() is called. */
  watch(sink: WatchSink<T>, options: WatchOptions): Promise<void> {
    const { signal } = options;
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const onAbort = (): void => {
        if (this.#watch === active) this.#watch = undefined;
        resolve();
      };
      const active: ActiveWatch<T> = {
        sink,
        fail: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      this.#watch = active;
      signal.addEventListener('abort', onAbort, { once: true });
      const pending = this.#pending;
      if (pending !== undefined) {
        this.#pending = undefined;
        try {
          this.#emit(sink, pending.items, pending.resourceVersion);
        } catch (err) {
          this.fail(coerceError(err));
        }
      }
    });
  }

  acknowledge(resourceVersion: string): void {
    this.#cycles.acknowledge(resourceVersion);
  }

  #emit(sink: WatchSink<T>, items: readonly T[], resourceVersion: string): void {
    this.#diff.diff(items, sink);
    sink({ type: 'Bookmark', resourceVersion });
  }
}
