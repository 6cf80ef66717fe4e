import type { NodeRecord, StorageRecord, VmRecord } from '../../db/inventory-records.js';
import type { InventoryChange } from '../../events/inventory-change.js';

/** nodeEvent, vmEvent and storageEvent build the change a write found for one object. */
export function nodeEvent(
  clusterId: number,
  type: InventoryChange['type'],
  record: NodeRecord,
  previous: NodeRecord | null,
  fields: string[],
): InventoryChange<'node'> {
  return {
    clusterId,
    kind: 'node',
    type,
    objectKey: `node/${record.name}`,
    node: record.name,
    previousNode: null,
    vmid: null,
    payload: record,
    previous,
    changedFields: fields,
  };
}

export function vmEvent(
  clusterId: number,
  type: InventoryChange['type'],
  record: VmRecord,
  previous: VmRecord | null,
  fields: string[],
): InventoryChange<'vm'> {
  return {
    clusterId,
    kind: 'vm',
    type,
    objectKey: `${record.type}/${record.vmid}`,
    node: record.node,
    previousNode: previous && previous.node !== record.node ? previous.node : null,
    vmid: record.vmid,
    payload: record,
    previous,
    changedFields: fields,
  };
}

export function storageEvent(
  clusterId: number,
  type: InventoryChange['type'],
  record: StorageRecord,
  previous: StorageRecord | null,
  fields: string[],
): InventoryChange<'storage'> {
  return {
    clusterId,
    kind: 'storage',
    type,
    objectKey: `storage/${record.node}/${record.name}`,
    node: record.node,
    previousNode: null,
    vmid: null,
    payload: record,
    previous,
    changedFields: fields,
  };
}

/** Events in a stable order: nodes, then guests, then storage; additions before deletions. */
export function orderEvents(events: InventoryChange[]): InventoryChange[] {
  const rank = { node: 0, vm: 1, storage: 2 } as const;
  const typeRank = { ADDED: 0, UPDATED: 0, DELETED: 1 } as const;
  return events
    .map((event, index) => ({ event, index }))
    .sort(
      (a, b) =>
        typeRank[a.event.type] - typeRank[b.event.type] ||
        rank[a.event.kind] - rank[b.event.kind] ||
        a.index - b.index,
    )
    .map(({ event }) => event);
}
