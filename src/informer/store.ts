import type { DeletedFinalStateUnknown } from './deleted-final-state-unknown.js';
import { InformerError } from './errors.js';

/**
 * KeyFunc computes an object's key, unique within one store (pvesphere: `qemu/101`,
 * `node/pve1`). It must be deterministic and may throw for an object it cannot key.
 */
export type KeyFunc<T> = (obj: T) => string;

/** KeyLister is anything that can list the keys it holds. */
export interface KeyLister {
  /** listKeys returns every key held, in no particular order. */
  listKeys(): string[];
}

/** KeyGetter is anything that can look an object up by key. */
export interface KeyGetter<T> {
  /** getByKey returns the object stored under key, or undefined. */
  getByKey(key: string): T | undefined;
}

/**
 * KeyListerGetter lists keys and gets objects by key: what a DeltaFIFO needs to know about the
 * objects its consumer already holds ("known objects").
 */
export interface KeyListerGetter<T> extends KeyLister, KeyGetter<T> {}

/**
 * Store is what a Reflector writes into: a keyed collection that can take single changes, be
 * replaced by a full list, and be asked to resync. Implemented by MemoryIndexer (the informer's
 * cache) and by DeltaFIFO (the informer's change queue).
 */
export interface Store<T> {
  /** add inserts or overwrites obj under its key. */
  add(obj: T): void;
  /** update is add under another name; implementations may record the difference. */
  update(obj: T): void;
  /** delete removes the object with obj's key; a tombstone is deleted by its key. */
  delete(obj: T | DeletedFinalStateUnknown<T>): void;
  /** replace swaps the whole content for `list`, observed at `resourceVersion`. */
  replace(list: readonly T[], resourceVersion: string): void;
  /** resync re-delivers every held object (meaningful for queues; a no-op for caches). */
  resync(): void;
}

/**
 * keyOrThrow applies a key function and wraps a failure in an InformerError with code
 * `KEY_FAILED` (client-go `KeyError`), keeping the original error as cause.
 */
export function keyOrThrow<T>(keyFunc: KeyFunc<T>, obj: T): string {
  try {
    return keyFunc(obj);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new InformerError(`couldn't create key for object: ${message}`, 'KEY_FAILED', {
      cause: err,
    });
  }
}
