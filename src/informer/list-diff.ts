import type { VersionFunc, WatchSink } from './list-watch.js';
import type { KeyFunc } from './store.js';

/** ListDiffOptions configures a ListDiff. */
export interface ListDiffOptions<T> {
  /** Computes an object's key. */
  keyFunc: KeyFunc<T>;
  /** Computes an object's resourceVersion (a content hash): unequal versions mean "changed". */
  versionFunc: VersionFunc<T>;
}

/** ListChanges counts the events one diff() emitted. */
export interface ListChanges {
  added: number;
  modified: number;
  deleted: number;
}

interface Known<T> {
  object: T;
  version: string;
  /** seen is the diff cycle that last listed this key. */
  seen: number;
}

/**
 * ListDiff turns successive full lists into watch events: the engine behind PollingWatch and
 * ListFeed. It remembers, per key, the last listed object and its version; diff(list) emits Added
 * for new keys, Modified for keys whose version changed, Deleted (with the last listed object) for
 * keys missing from the list — an empty list therefore deletes everything — and nothing for
 * unchanged keys. Cost: one Map lookup and one version call per listed object, plus one scan of
 * the known keys when some are missing; events and allocations only for changes.
 *
 * For an unchanged key the object of its last change is kept, not the newly listed instance:
 * equal versions mean equal content, it is the instance the informer's cache holds, and the
 * fresh instances of a poll (100,000 parsed objects) can then die young instead of being retained
 * and promoted by the garbage collector every cycle. A Deleted event carries that object. If a key
 * appears twice in a list, the later occurrence wins.
 */
export class ListDiff<T> {
  readonly #keyFunc: KeyFunc<T>;
  readonly #versionFunc: VersionFunc<T>;
  #known = new Map<string, Known<T>>();
  #cycle = 0;

  constructor(options: ListDiffOptions<T>) {
    this.#keyFunc = options.keyFunc;
    this.#versionFunc = options.versionFunc;
  }

  /** size is the number of keys currently known. */
  get size(): number {
    return this.#known.size;
  }

  /** reset makes `list` the known state without emitting anything (after a full list). */
  reset(list: readonly T[]): void {
    const cycle = ++this.#cycle;
    const known = new Map<string, Known<T>>();
    for (const object of list) {
      known.set(this.#keyFunc(object), { object, version: this.#versionFunc(object), seen: cycle });
    }
    this.#known = known;
  }

  /** diff emits the differences between the known state and `list` into sink, then adopts list. */
  diff(list: readonly T[], sink: WatchSink<T>): ListChanges {
    const cycle = ++this.#cycle;
    const changes: ListChanges = { added: 0, modified: 0, deleted: 0 };
    const known = this.#known;
    const keyFunc = this.#keyFunc;
    const versionFunc = this.#versionFunc;
    const knownBefore = known.size;
    let stillListed = 0;
    for (const object of list) {
      const key = keyFunc(object);
      const version = versionFunc(object);
      const entry = known.get(key);
      if (entry === undefined) {
        known.set(key, { object, version, seen: cycle });
        changes.added++;
        sink({ type: 'Added', object });
        continue;
      }
      if (entry.seen !== cycle) stillListed++;
      entry.seen = cycle;
      if (entry.version !== version) {
        entry.object = object;
        entry.version = version;
        changes.modified++;
        sink({ type: 'Modified', object });
      }
    }
    // Every key known before this list and not seen in it is gone; skip the scan when none is.
    if (stillListed === knownBefore) return changes;
    for (const [key, entry] of known) {
      if (entry.seen === cycle) continue;
      known.delete(key);
      changes.deleted++;
      sink({ type: 'Deleted', object: entry.object });
    }
    return changes;
  }
}
