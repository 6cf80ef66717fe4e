import type pg from 'pg';
import type { Database } from '../db/database.js';
import { appendEvents } from '../events/event-log.js';
import type { InventoryChange, InventoryEvent } from '../events/inventory-change.js';
import type { Limiter } from '../lib/limiter.js';
import { orderEvents } from './write/change-events.js';
import type { CycleChanges, MetricsBatch, ProgressListener } from './write/cycle-changes.js';
import { writeGuests } from './write/guest-writes.js';
import { writeMetrics } from './write/metrics-writes.js';
import { writeNodes } from './write/node-writes.js';
import { writeStorages } from './write/storage-writes.js';

export type { CycleChanges, MetricsBatch, ProgressListener } from './write/cycle-changes.js';

/**
 * InventoryWriter writes one cluster's poll cycles to PostgreSQL. Each cycle is one transaction:
 * it reads the rows it replaces (they become the events' `previous`), applies deletions, then
 * batched upserts by natural key (array parameters, a few statements per table), replaces
 * changed guests' IP addresses, keeps `vm_template` in step, and appends the `inventory_event`
 * rows — a transactional outbox. The events it returns are committed; publish them then.
 * A cycle with no changes writes nothing. With `slots`, every transaction first waits for a slot
 * of that Limiter, which the clusters of a process share: at most that many write at once.
 */
export class InventoryWriter {
  readonly #db: Database;
  readonly #clusterId: number;
  readonly #onProgress: ProgressListener | undefined;
  readonly #slots: Limiter | undefined;

  constructor(options: {
    db: Database;
    clusterId: number;
    onProgress?: ProgressListener;
    /** Write slots shared by the clusters of a process. @default none (no waiting) */
    slots?: Limiter;
  }) {
    this.#db = options.db;
    this.#clusterId = options.clusterId;
    this.#onProgress = options.onProgress;
    this.#slots = options.slots;
  }

  /**
   * write applies a cycle's changes in one transaction; resolves with the committed events. A
   * `signal` that aborts while the write waits for a slot rejects it with nothing written.
   */
  async write(changes: CycleChanges, signal?: AbortSignal): Promise<InventoryEvent[]> {
    if (changes.nodes.size + changes.guests.size + changes.storages.size === 0) return [];
    const id = this.#clusterId;
    return this.#inSlot(signal, (client) => this.#writeChanges(client, id, changes));
  }

  /** flushMetrics writes usage metrics in one transaction (see writeMetrics). */
  async flushMetrics(batch: MetricsBatch): Promise<number> {
    if (batch.nodes.size + batch.guests.size + batch.storages.size === 0) return 0;
    return this.#inSlot(undefined, (client) => writeMetrics(client, this.#clusterId, batch));
  }

  /** #inSlot runs `fn` in a transaction, once a write slot is free. */
  #inSlot<T>(
    signal: AbortSignal | undefined,
    fn: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    const transaction = () => this.#db.transaction(fn);
    return this.#slots ? this.#slots.run(transaction, signal) : transaction();
  }

  async #writeChanges(
    client: pg.PoolClient,
    id: number,
    changes: CycleChanges,
  ): Promise<InventoryEvent[]> {
    // The event lock is taken by appendEvents, after the inventory writes: it is held only from
    // drawing the sequences to the commit, so clusters write their rows in parallel.
    const events: InventoryChange[] = [
      ...(await writeNodes(client, id, changes)),
      ...(await writeGuests(client, id, changes, this.#onProgress)),
      ...(await writeStorages(client, id, changes)),
    ];
    return appendEvents(client, orderEvents(events));
  }
}
