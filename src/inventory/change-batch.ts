import type { DeletedFinalStateUnknown } from '../informer/deleted-final-state-unknown.js';
import type { ResourceEventHandler } from '../informer/event-handler.js';

/**
 * ChangeBatch is the informer handler of one kind of inventory object: it only records, per key,
 * the latest state (or null for a deletion) since the last take(), skipping resyncs (an update
 * whose hash did not change). At the end of a poll cycle the cluster sync takes the batch and
 * writes it in one transaction (sample-controller's "handlers only enqueue keys", with the state
 * kept because the write is per cycle, not per key).
 */
export class ChangeBatch<S extends { key: string; hash: string }>
  implements ResourceEventHandler<S>
{
  #changes = new Map<string, S | null>();

  onAdd(obj: S): void {
    this.#changes.set(obj.key, obj);
  }

  onUpdate(oldObj: S, newObj: S): void {
    if (oldObj.hash === newObj.hash) return;
    this.#changes.set(newObj.key, newObj);
  }

  onDelete(obj: S | DeletedFinalStateUnknown<S>): void {
    // Both the last known state and a DeletedFinalStateUnknown tombstone carry the key.
    this.#changes.set(obj.key, null);
  }

  /** size is the number of keys with a change waiting. */
  get size(): number {
    return this.#changes.size;
  }

  /** take returns the changes recorded so far and starts a new batch. */
  take(): Map<string, S | null> {
    const taken = this.#changes;
    this.#changes = new Map();
    return taken;
  }

  /** restore puts changes back (the write failed): newer changes of the same key win. */
  restore(changes: ReadonlyMap<string, S | null>): void {
    for (const [key, state] of changes) {
      if (!this.#changes.has(key)) this.#changes.set(key, state);
    }
  }
}
