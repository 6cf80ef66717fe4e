import type { InventoryEvent } from './inventory-change.js';

/** EventListener receives committed inventory events, in sequence order. */
export type EventListener = (events: readonly InventoryEvent[]) => void;

/**
 * EventBus carries committed inventory events from the sync to subscribers (DESIGN §4, §7).
 * publish() is called only after the transaction that wrote the events committed, with the
 * events of that transaction in sequence order.
 */
export interface EventBus {
  publish(events: readonly InventoryEvent[]): void;
  /** subscribe adds a listener; the returned function removes it. */
  subscribe(listener: EventListener): () => void;
  /** listenerCount is the number of listeners (leak checks). */
  readonly listenerCount: number;
  close(): Promise<void>;
}

/**
 * MemoryEventBus is the in-process bus: publish() hands the events to every listener
 * synchronously. A listener that throws is isolated from the others.
 */
export class MemoryEventBus implements EventBus {
  readonly #listeners = new Set<EventListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  publish(events: readonly InventoryEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.#listeners) {
      try {
        listener(events);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
