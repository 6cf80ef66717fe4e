import type { Database } from '../db/database.js';
import { appendEvents } from '../events/event-log.js';
import type { InventoryChange, InventoryEvent } from '../events/inventory-change.js';
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
 * A cycle with no changes writes nothing.
 */
export class InventoryWriter {
  readonly #db: Database;
  readonly #clusterId: number;
  readonly #onProgress: ProgressListener | undefined;

  constructor(options: { db: Database; clusterId: number; onProgress?: ProgressListener }) {
    this.#db = options.db;
    this.#clusterId = options.clusterId;
    this.#onProgress = options.onProgress;
  }

  /** write applies a cycle's changes in one transaction; resolves with the committed events. */
  async write(changes: CycleChanges): Promise<InventoryEvent[]> {
    if (changes.nodes.size + changes.guests.size + changes.storages.size === 0) return [];
    const id = this.#clusterId;
    return this.#db.transaction(async (client) => {
      // The event lock is taken by appendEvents, after the inventory writes: it is held only from
      // drawing the sequences to the commit, so clusters write their rows in parallel.
      const events: InventoryChange[] = [
        ...(await writeNodes(client, id, changes)),
        ...(await writeGuests(client, id, changes, this.#onProgress)),
        ...(await writeStorages(client, id, changes)),
      ];
      return appendEvents(client, orderEvents(events));
    });
  }

  /** flushMetrics writes usage metrics in one transaction (see writeMetrics). */
  async flushMetrics(batch: MetricsBatch): Promise<number> {
    if (batch.nodes.size + batch.guests.size + batch.storages.size === 0) return 0;
    return this.#db.transaction((client) => writeMetrics(client, this.#clusterId, batch));
  }
}
