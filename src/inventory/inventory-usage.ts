import type { StoredInventory } from './inventory-loader.js';
import type {
  GuestState,
  GuestUsage,
  NodeState,
  NodeUsage,
  StorageState,
  StorageUsage,
} from './state.js';
import { UsageStore } from './usage-store.js';
import {
  EMPTY_GUEST_USAGE,
  EMPTY_NODE_USAGE,
  EMPTY_STORAGE_USAGE,
  type MetricsBatch,
} from './write/cycle-changes.js';

/** fieldsOf lists the metrics of a usage record: the keys of a complete one. */
function fieldsOf<U extends object>(complete: U): (keyof U & string)[] {
  return Object.keys(complete) as (keyof U & string)[];
}

/** NODE_USAGE_FIELDS, GUEST_USAGE_FIELDS and STORAGE_USAGE_FIELDS are the metrics each kind keeps. */
export const NODE_USAGE_FIELDS = fieldsOf<NodeUsage>(EMPTY_NODE_USAGE);
export const GUEST_USAGE_FIELDS = fieldsOf<GuestUsage>(EMPTY_GUEST_USAGE);
export const STORAGE_USAGE_FIELDS = fieldsOf<StorageUsage>(EMPTY_STORAGE_USAGE);

/**
 * InventoryUsage keeps one cluster's usage metrics (nodes, guests, storage) current in memory
 * between flushes: every poll records the latest values, rows written by a cycle carry theirs,
 * and a flush writes only what changed since (DESIGN §4).
 */
export class InventoryUsage {
  /** Nodes' usage; a node's meta is its name. */
  readonly nodes = new UsageStore<NodeUsage, string>({ fields: NODE_USAGE_FIELDS });
  /** Guests' usage; a guest's meta is its VMID (a number, not an object per guest). */
  readonly guests = new UsageStore<GuestUsage, number>({ fields: GUEST_USAGE_FIELDS });
  readonly storages = new UsageStore<StorageUsage, { node: string; name: string }>({
    fields: STORAGE_USAGE_FIELDS,
  });

  /** seed records what the database holds as already written. */
  seed(stored: StoredInventory): void {
    for (const { state, usage } of stored.nodes) {
      this.nodes.set(state.key, usage, state.name);
      this.nodes.markWritten(state.key);
    }
    for (const { state, usage } of stored.guests) {
      this.guests.set(state.key, usage, state.vmid);
      this.guests.markWritten(state.key);
    }
    for (const { state, usage } of stored.storages) {
      this.storages.set(state.key, usage, { node: state.node, name: state.name });
      this.storages.markWritten(state.key);
    }
  }

  /** written records a cycle's rows as written with their usage; deleted ones are forgotten. */
  written(changes: {
    nodes: ReadonlyMap<string, NodeState | null>;
    guests: ReadonlyMap<string, GuestState | null>;
    storages: ReadonlyMap<string, StorageState | null>;
  }): void {
    for (const [key, state] of changes.nodes) {
      if (state) this.nodes.markWritten(key);
      else this.nodes.delete(key);
    }
    for (const [key, state] of changes.guests) {
      if (state) this.guests.markWritten(key);
      else this.guests.delete(key);
    }
    for (const [key, state] of changes.storages) {
      if (state) this.storages.markWritten(key);
      else this.storages.delete(key);
    }
  }

  /**
   * pending is the usage changed since the last flush, as a batch to write, and `commit` to call
   * once it is written.
   */
  pending(): { batch: MetricsBatch; commit(): void } {
    const batch = {
      nodes: this.nodes.changed(),
      guests: this.guests.changed(),
      storages: this.storages.changed(),
    };
    return {
      batch,
      commit: () => {
        this.nodes.committed(batch.nodes);
        this.guests.committed(batch.guests);
        this.storages.committed(batch.storages);
      },
    };
  }
}
