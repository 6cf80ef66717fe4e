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
  /**
   * What is known, per key, in parallel columns indexed by the key's slot: no object per key (a
   * ListFeed of 10,000 guests keeps 10,000 entries for its whole life).
   */
  #slots = new Map<string, number>();
  /** The object of the key's last change (undefined for a free slot). */
  #objects: (T | undefined)[] = [];
  /** Its version. */
  #versions: (string | undefined)[] = [];
  /** The diff cycle that last listed the key. */
  #seen: number[] = [];
  /** Slots of deleted keys, reused first. */
  #free: number[] = [];
  #cycle = 0;

  constructor(options: ListDiffOptions<T>) {
    this.#keyFunc = options.keyFunc;
    this.#versionFunc = options.versionFunc;
  }

  /** size is the number of keys currently known. */
  get size(): number {
    return this.#slots.size;
  }

  /** reset makes `list` the known state without emitting anything (after a full list). */
  reset(list: readonly T[]): void {
    const cycle = ++this.#cycle;
    this.#slots = new Map();
    this.#objects = [];
    this.#versions = [];
    this.#seen = [];
    this.#free = [];
    for (const object of list)
      this.#put(this.#keyFunc(object), object, this.#versionFunc(object), cycle);
  }

  /** diff emits the differences between the known state and `list` into sink, then adopts list. */
  diff(list: readonly T[], sink: WatchSink<T>): ListChanges {
    const cycle = ++this.#cycle;
    const changes: ListChanges = { added: 0, modified: 0, deleted: 0 };
    const slots = this.#slots;
    const versions = this.#versions;
    const seen = this.#seen;
    const keyFunc = this.#keyFunc;
    const versionFunc = this.#versionFunc;
    const knownBefore = slots.size;
    let stillListed = 0;
    for (const object of list) {
      const key = keyFunc(object);
      const version = versionFunc(object);
      const slot = slots.get(key);
      if (slot === undefined) {
        this.#put(key, object, version, cycle);
        changes.added++;
        sink({ type: 'Added', object });
        continue;
      }
      if (seen[slot] !== cycle) stillListed++;
      seen[slot] = cycle;
      if (versions[slot] !== version) {
        this.#objects[slot] = object;
        versions[slot] = version;
        changes.modified++;
        sink({ type: 'Modified', object });
      }
    }
    // Every key known before this list and not seen in it is gone; skip the scan when none is.
    if (stillListed === knownBefore) return changes;
    for (const [key, slot] of slots) {
      if (seen[slot] === cycle) continue;
      const object = this.#objects[slot] as T;
      slots.delete(key);
      this.#objects[slot] = undefined;
      versions[slot] = undefined;
      this.#free.push(slot);
      changes.deleted++;
      sink({ type: 'Deleted', object });
    }
    return changes;
  }

  #put(key: string, object: T, version: string, cycle: number): void {
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = this.#free.pop() ?? this.#objects.length;
      this.#slots.set(key, slot);
    }
    this.#objects[slot] = object;
    this.#versions[slot] = version;
    this.#seen[slot] = cycle;
  }
}
