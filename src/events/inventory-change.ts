import type { NodeRecord, StorageRecord, VmRecord } from '../db/inventory-records.js';

/** InventoryKind is what an event is about. */
export type InventoryKind = 'node' | 'vm' | 'storage';

/** InventoryEventTypeValue is GraphQL's `InventoryEventType`. */
export type InventoryEventTypeValue = 'ADDED' | 'UPDATED' | 'DELETED';

/** The record type each kind carries. */
export interface InventoryPayloads {
  node: NodeRecord;
  vm: VmRecord;
  storage: StorageRecord;
}

/**
 * InventoryChange is one inventory event before it is stored: an object added, updated or
 * deleted, as it was at that moment (for DELETED, its last known state), with the state before
 * for UPDATED and the inventory fields that changed.
 */
export interface InventoryChange<K extends InventoryKind = InventoryKind> {
  clusterId: number;
  kind: K;
  type: InventoryEventTypeValue;
  /** PVE-style key: `node/<n>`, `qemu/<vmid>`, `storage/<n>/<s>`. */
  objectKey: string;
  /** The node the object is on (for DELETED: was on); for a node event, the node itself. */
  node: string | null;
  /** For a guest that moved in this change: the node it was on before. */
  previousNode: string | null;
  vmid: number | null;
  payload: InventoryPayloads[K];
  previous: InventoryPayloads[K] | null;
  changedFields: string[];
}

/**
 * InventoryEvent is a stored inventory change: its `sequence` (a decimal string; sequences
 * become visible in order) and when it was written. Published to subscribers only after the
 * transaction that wrote it committed.
 */
export interface InventoryEvent<K extends InventoryKind = InventoryKind>
  extends InventoryChange<K> {
  sequence: string;
  at: string;
}
