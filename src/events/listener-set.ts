import type { InventoryEvent } from './inventory-change.js';

/** InventoryEventListener receives committed inventory events, in sequence order. */
export type InventoryEventListener = (events: readonly InventoryEvent[]) => void;

/**
 * ListenerSet is the fan-out every bus shares: emit() hands a batch to each listener
 * synchronously, in the order they were added. A listener that throws is reported to `onError`
 * and does not keep the batch from the others; a listener may remove itself (or another) during
 * emit().
 */
export class ListenerSet {
  readonly #listeners = new Set<InventoryEventListener>();
  readonly #onError: (error: unknown) => void;
  readonly #onDelivered: ((events: readonly InventoryEvent[]) => void) | undefined;

  /**
   * @param onError hears listeners that throw.
   * @param onDelivered sees every batch first, before the listeners (the server's own
   *   bookkeeping, such as invalidating cached query answers); it is not counted as a listener.
   */
  constructor(
    onError: (error: unknown) => void = () => {},
    onDelivered?: (events: readonly InventoryEvent[]) => void,
  ) {
    this.#onError = onError;
    this.#onDelivered = onDelivered;
  }

  /** add registers a listener; the returned function removes it (calling it twice is harmless). */
  add(listener: InventoryEventListener): () => void {
    // A wrapper per registration: the same function added twice is two listeners.
    const entry: InventoryEventListener = (events) => listener(events);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** emit hands `events` to every listener. */
  emit(events: readonly InventoryEvent[]): void {
    if (events.length === 0) return;
    this.#onDelivered?.(events);
    for (const listener of this.#listeners) {
      try {
        listener(events);
      } catch (err) {
        this.#onError(err);
      }
    }
  }

  /** size is the number of listeners. */
  get size(): number {
    return this.#listeners.size;
  }

  /** clear removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}
