import { ArrayQueue } from './array-queue.js';
import { Condition } from './condition.js';
import { DeletedFinalStateUnknown } from './deleted-final-state-unknown.js';
import { InformerError } from './errors.js';
import { type InformerMetrics, noopInformerMetrics } from './metrics.js';
import type { ResourceVersionUpdater } from './reflector.js';
import { type KeyFunc, type KeyListerGetter, keyOrThrow, type Store } from './store.js';

/**
 * DeltaType is the kind of change a Delta records: `Added`, `Updated`, `Deleted`; `Replaced`
 * for an object re-listed by replace() (when emitDeltaTypeReplaced is set — otherwise replace()
 * uses `Sync`); `Sync` for a periodic resync of an unchanged object.
 */
export const DeltaType = {
  Added: 'Added',
  Updated: 'Updated',
  Deleted: 'Deleted',
  Replaced: 'Replaced',
  Sync: 'Sync',
} as const;

/** DeltaType is one of the DeltaType constants. */
export type DeltaType = (typeof DeltaType)[keyof typeof DeltaType];

/**
 * Delta is one change and the object's state after it — or, for a deletion, the final state
 * before it, possibly a DeletedFinalStateUnknown tombstone.
 */
export interface Delta<T> {
  readonly type: DeltaType;
  readonly object: T | DeletedFinalStateUnknown<T>;
}

/** Deltas is every change of one object since it was last popped, oldest first. */
export type Deltas<T> = readonly Delta<T>[];

/** newestDelta returns the last delta of a Deltas, or undefined for an empty one. */
export function newestDelta<T>(deltas: Deltas<T>): Delta<T> | undefined {
  return deltas[deltas.length - 1];
}

/** oldestDelta returns the first delta of a Deltas, or undefined for an empty one. */
export function oldestDelta<T>(deltas: Deltas<T>): Delta<T> | undefined {
  return deltas[0];
}

/**
 * PopProcessFunc processes one popped Deltas. It is called synchronously inside pop(), with no
 * other queue operation in between — the single-threaded equivalent of client-go calling it
 * "under lock" — so it may update the known-objects store the queue consults. Throw a
 * RequeueError to put the item back.
 */
export type PopProcessFunc<T> = (deltas: Deltas<T>, isInInitialList: boolean) => void;

/**
 * RequeueError, thrown by a PopProcessFunc, puts the popped item back at the end of the queue
 * unless the key was re-added meanwhile (client-go `ErrRequeue`); pop() then rejects with
 * `cause` if one is given, or resolves normally.
 */
export class RequeueError extends Error {
  override name = 'RequeueError';
}

/** DeltaFIFOOptions configures a DeltaFIFO. */
export interface DeltaFIFOOptions<T> {
  /** Computes an object's key. Required: a generic framework has no default key. */
  keyFunction: KeyFunc<T>;
  /**
   * The objects the consumer already knows (the informer's indexer). Used by delete() to
   * ignore deletions of unknown objects, by replace() to emit tombstones for known keys missing
   * from the list, and by resync(). @default undefined (deletions may then be missed by replace)
   */
  knownObjects?: KeyListerGetter<T>;
  /**
   * Emit `Replaced` rather than `Sync` for objects passed to replace(). SharedInformer sets it.
   * @default false (client-go's backwards-compatible default)
   */
  emitDeltaTypeReplaced?: boolean;
  /** Label for metrics. @default 'delta-fifo' */
  name?: string;
  /** Receives queue depth and deltas by type. @default noopInformerMetrics */
  metrics?: InformerMetrics;
  /**
   * Called when every key queued before updateResourceVersion(resourceVersion) has been popped
   * and processed (immediately if none was queued). SharedInformer uses it to acknowledge cycles.
   * @default undefined
   */
  onResourceVersionPopped?: (resourceVersion: string) => void;
}

/**
 * DeltaFIFO is a producer-consumer queue where a Reflector is the producer and whoever calls pop()
 * is the consumer (client-go `DeltaFIFO`). For each key it accumulates every change since the key
 * was last popped, so a consumer processes every change at most once, sees everything that
 * happened to an object since it last processed it, can process deletions, and can periodically
 * reprocess objects (resync).
 *
 * Applying a change appends a Delta, except that two consecutive deletions collapse into one,
 * keeping the one with more information (a real object beats a tombstone). Keys are popped in the
 * order they were first queued; a key queued again before being popped does not jump the line.
 *
 * replace(list) adds a Replaced (or Sync) delta for every listed object, then a Deleted
 * DeletedFinalStateUnknown tombstone for every key that is queued or known (knownObjects) but
 * missing from the list — so an empty list deletes everything, and a key that only ever existed
 * in the queue is deleted too. hasSynced() becomes true once the items of the first replace()
 * (or a first add/update/delete) have all been popped.
 *
 * updateResourceVersion(rv) marks a point in the queue; onResourceVersionPopped(rv) fires once
 * everything queued before it has been popped: that is how a consumer learns that a list or a
 * poll cycle has gone through.
 */
export class DeltaFIFO<T> implements Store<T>, ResourceVersionUpdater {
  readonly name: string;
  readonly #keyFunc: KeyFunc<T>;
  readonly #knownObjects: KeyListerGetter<T> | undefined;
  readonly #emitDeltaTypeReplaced: boolean;
  readonly #metrics: InformerMetrics;
  readonly #onResourceVersionPopped: ((resourceVersion: string) => void) | undefined;

  /** #items maps a key to its Deltas; every entry has at least one Delta. */
  #items = new Map<string, Delta<T>[]>();
  /** #queue holds keys in FIFO order, without duplicates; a key is queued iff it is in #items. */
  readonly #queue = new ArrayQueue<string>();
  #populated = false;
  #initialPopulationCount = 0;
  #closed = false;
  readonly #cond = new Condition();
  /** #enqueued and #popped count keys entering and leaving #queue, to place resourceVersion marks. */
  #enqueued = 0;
  #popped = 0;
  readonly #marks = new ArrayQueue<{ resourceVersion: string; at: number }>();

  constructor(options: DeltaFIFOOptions<T>) {
    this.#keyFunc = options.keyFunction;
    this.#knownObjects = options.knownObjects;
    this.#emitDeltaTypeReplaced = options.emitDeltaTypeReplaced ?? false;
    this.name = options.name ?? 'delta-fifo';
    this.#metrics = options.metrics ?? noopInformerMetrics;
    this.#onResourceVersionPopped = options.onResourceVersionPopped;
  }

  /** close wakes every blocked pop(); once the queue is empty, pop() rejects with FIFO_CLOSED. */
  close(): void {
    this.#closed = true;
    this.#cond.broadcast();
  }

  /** isClosed tells whether close() was called. */
  isClosed(): boolean {
    return this.#closed;
  }

  /** keyOf is the key function, extended to tombstones (whose key they carry). */
  keyOf(obj: T | DeletedFinalStateUnknown<T>): string {
    return obj instanceof DeletedFinalStateUnknown ? obj.key : keyOrThrow(this.#keyFunc, obj);
  }

  /**
   * hasSynced is true once add/update/delete/addIfNotPresent was called first, or the items of
   * the first replace() have all been popped.
   */
  hasSynced(): boolean {
    return this.#populated && this.#initialPopulationCount === 0;
  }

  /** length is the number of keys waiting to be popped. */
  get length(): number {
    return this.#queue.length;
  }

  /** add queues an Added delta. */
  add(obj: T): void {
    this.#populated = true;
    this.#queueAction(DeltaType.Added, obj, this.keyOf(obj));
  }

  /** update queues an Updated delta. */
  update(obj: T): void {
    this.#populated = true;
    this.#queueAction(DeltaType.Updated, obj, this.keyOf(obj));
  }

  /**
   * delete queues a Deleted delta — unless the object is neither queued nor known, in which case
   * it was presumably already deleted by a relist and is not reported twice.
   */
  delete(obj: T | DeletedFinalStateUnknown<T>): void {
    const id = this.keyOf(obj);
    this.#populated = true;
    const queued = this.#items.has(id);
    if (this.#knownObjects === undefined) {
      if (!queued) return;
    } else if (!queued && this.#knownObjects.getByKey(id) === undefined) {
      return;
    }
    this.#queueAction(DeltaType.Deleted, obj, id);
  }

  /**
   * addIfNotPresent queues a popped Deltas again, unless its key was queued meanwhile (newer
   * deltas win). Throws KEY_FAILED for an empty Deltas.
   */
  addIfNotPresent(deltas: Deltas<T>): void {
    const newest = newestDelta(deltas);
    if (newest === undefined) {
      throw new InformerError("0 length Deltas object; can't get key", 'KEY_FAILED');
    }
    this.#addIfNotPresent(this.keyOf(newest.object), deltas);
  }

  /** list returns the newest object of every queued key. */
  list(): Array<T | DeletedFinalStateUnknown<T>> {
    const result: Array<T | DeletedFinalStateUnknown<T>> = [];
    for (const deltas of this.#items.values()) result.push(newestDelta(deltas)!.object);
    return result;
  }

  /** listKeys returns the queued keys in pop order. */
  listKeys(): string[] {
    return this.#queue.toArray();
  }

  /** get returns a copy of the Deltas queued for obj's key, or undefined. */
  get(obj: T | DeletedFinalStateUnknown<T>): Deltas<T> | undefined {
    return this.getByKey(this.keyOf(obj));
  }

  /** getByKey returns a copy of the Deltas queued for key, or undefined. */
  getByKey(key: string): Deltas<T> | undefined {
    const deltas = this.#items.get(key);
    return deltas === undefined ? undefined : [...deltas];
  }

  /**
   * pop waits until a key is queued, removes it and calls `process` with its Deltas (see
   * PopProcessFunc), then resolves with them. `isInInitialList` is true while the items of the
   * first replace() are being popped. Rejects with FIFO_CLOSED once closed and empty; if process
   * throws, the item stays popped (unless it threw a RequeueError) and pop rejects.
   */
  async pop(process: PopProcessFunc<T>): Promise<Deltas<T>> {
    while (this.#queue.length === 0) {
      if (this.#closed) {
        throw new InformerError('DeltaFIFO: manipulating with closed queue', 'FIFO_CLOSED');
      }
      await this.#cond.wait();
    }
    const isInInitialList = !this.hasSynced();
    const id = this.#queue.shift()!;
    if (this.#initialPopulationCount > 0) this.#initialPopulationCount--;
    const item = this.#items.get(id)!;
    this.#items.delete(id);
    this.#metrics.setQueueDepth(this.name, this.#queue.length);
    try {
      process(item, isInInitialList);
    } catch (err) {
      if (!(err instanceof RequeueError)) throw err;
      this.#addIfNotPresent(id, item);
      if (err.cause !== undefined) throw err.cause;
    } finally {
      this.#popped++;
      this.#passMarks();
    }
    return item;
  }

  /**
   * replace queues the list as Replaced (or Sync) deltas, then a DeletedFinalStateUnknown for
   * every key queued or known but missing from the list, carrying the newest queued object, or
   * else the known one (undefined if that vanished too). See the class comment.
   */
  replace(list: readonly T[], _resourceVersion: string): void {
    const keys = new Set<string>();
    const action = this.#emitDeltaTypeReplaced ? DeltaType.Replaced : DeltaType.Sync;
    for (const item of list) {
      const key = this.keyOf(item);
      keys.add(key);
      this.#queueAction(action, item, key);
    }

    // Deletions of keys only in the queue (added, never popped, and gone from the list).
    let queuedDeletions = 0;
    for (const [key, oldItem] of this.#items) {
      if (keys.has(key)) continue;
      let deletedObj = newestDelta(oldItem)?.object;
      if (deletedObj instanceof DeletedFinalStateUnknown) deletedObj = deletedObj.obj;
      queuedDeletions++;
      this.#queueAction(DeltaType.Deleted, new DeletedFinalStateUnknown(key, deletedObj), key);
    }

    // Deletions of keys the consumer knows about and nothing in the queue mentions.
    if (this.#knownObjects !== undefined) {
      for (const key of this.#knownObjects.listKeys()) {
        if (keys.has(key) || this.#items.has(key)) continue;
        const deletedObj = this.#knownObjects.getByKey(key);
        queuedDeletions++;
        this.#queueAction(DeltaType.Deleted, new DeletedFinalStateUnknown(key, deletedObj), key);
      }
    }

    if (!this.#populated) {
      this.#populated = true;
      this.#initialPopulationCount = keys.size + queuedDeletions;
    }
  }

  /**
   * resync queues a Sync delta for every known object whose key is not already queued (a queued
   * change is newer than the known object, so syncing the older one would race it). Does nothing
   * without knownObjects.
   */
  resync(): void {
    if (this.#knownObjects === undefined) return;
    for (const key of this.#knownObjects.listKeys()) {
      const obj = this.#knownObjects.getByKey(key);
      if (obj === undefined) continue;
      const id = this.keyOf(obj);
      if (this.#items.has(id)) continue;
      this.#queueAction(DeltaType.Sync, obj, id);
    }
  }

  /**
   * updateResourceVersion marks the current end of the queue with resourceVersion (see
   * DeltaFIFOOptions.onResourceVersionPopped). The Reflector calls it after every list and
   * Bookmark.
   */
  updateResourceVersion(resourceVersion: string): void {
    if (this.#enqueued === this.#popped) {
      this.#onResourceVersionPopped?.(resourceVersion);
      return;
    }
    this.#marks.push({ resourceVersion, at: this.#enqueued });
  }

  #queueAction(type: DeltaType, obj: T | DeletedFinalStateUnknown<T>, id: string): void {
    const delta: Delta<T> = { type, object: obj };
    const deltas = this.#items.get(id);
    if (deltas === undefined) {
      this.#items.set(id, [delta]);
      this.#enqueue(id);
    } else {
      deltas.push(delta);
      dedupDeltas(deltas);
    }
    this.#metrics.incDeltas(this.name, type, 1);
  }

  #addIfNotPresent(id: string, deltas: Deltas<T>): void {
    this.#populated = true;
    if (this.#items.has(id)) return;
    this.#items.set(id, [...deltas]);
    this.#enqueue(id);
  }

  #enqueue(id: string): void {
    this.#queue.push(id);
    this.#enqueued++;
    this.#metrics.setQueueDepth(this.name, this.#queue.length);
    this.#cond.broadcast();
  }

  #passMarks(): void {
    for (;;) {
      const mark = this.#marks.peek();
      if (mark === undefined || mark.at > this.#popped) return;
      this.#marks.shift();
      this.#onResourceVersionPopped?.(mark.resourceVersion);
    }
  }
}

/**
 * dedupDeltas collapses the last two deltas when they are the same event — today, only two
 * deletions: relisting and watching can report the same deletion twice. In place.
 */
function dedupDeltas<T>(deltas: Delta<T>[]): void {
  const n = deltas.length;
  if (n < 2) return;
  const kept = isDeletionDup(deltas[n - 1]!, deltas[n - 2]!);
  if (kept === undefined) return;
  deltas[n - 2] = kept;
  deltas.length = n - 1;
}

/** isDeletionDup keeps the deletion with the most information when both are deletions. */
function isDeletionDup<T>(a: Delta<T>, b: Delta<T>): Delta<T> | undefined {
  if (b.type !== DeltaType.Deleted || a.type !== DeltaType.Deleted) return undefined;
  return b.object instanceof DeletedFinalStateUnknown ? a : b;
}
