import type { InventoryEvent } from './inventory-change.js';
import { type InventoryEventListener, ListenerSet } from './listener-set.js';

/**
 * EventBus carries committed inventory events from the sync to the subscribers of this process
 * (DESIGN §4, §7). Listeners receive every committed event once, in sequence order, in batches.
 * publish() is called only after the transaction that wrote the events committed, with the events
 * of that transaction in sequence order. Listeners run synchronously inside the delivery and must
 * not block: a subscriber copies what it wants into its own bounded buffer.
 */
export interface EventBus {
  /** start connects what the bus needs (nothing for the in-memory bus). */
  start(): Promise<void>;
  /** publish announces events this process just committed. */
  publish(events: readonly InventoryEvent[]): void;
  /** subscribe adds a listener; the returned function removes it. */
  subscribe(listener: InventoryEventListener): () => void;
  /** listenerCount is the number of listeners (leak checks). */
  readonly listenerCount: number;
  /** close stops delivering and removes every listener. */
  close(): Promise<void>;
}

/**
 * MemoryEventBus is the in-process bus (`PVESPHERE_BUS=memory`, the default): publish() hands
 * the events to every listener synchronously — the events already carry their objects, so no
 * subscriber reads the database. It only reaches subscribers of this process; replicas use
 * {@link https://www.postgresql.org/docs/current/sql-notify.html LISTEN/NOTIFY} through
 * `PostgresEventBus`. Events must be published in commit order, which the sync guarantees: event
 * writers serialise on `EVENT_SEQUENCE_LOCK` and publish right after their commit.
 */
export class MemoryEventBus implements EventBus {
  readonly #listeners: ListenerSet;

  /** See ListenerSet for `onListenerError` and `onDelivered`. */
  constructor(
    onListenerError: (error: unknown) => void = () => {},
    onDelivered?: (events: readonly InventoryEvent[]) => void,
  ) {
    this.#listeners = new ListenerSet(onListenerError, onDelivered);
  }

  async start(): Promise<void> {}

  publish(events: readonly InventoryEvent[]): void {
    this.#listeners.emit(events);
  }

  subscribe(listener: InventoryEventListener): () => void {
    return this.#listeners.add(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
