import type { InventoryEvent, InventoryKind } from './inventory-change.js';

/**
 * EventFilter selects the events one subscription receives: one kind, and optionally one
 * cluster, one node and one guest. `node` matches the node an object is on **or** the node a
 * guest left in this event (`previousNode`), so a migration is seen from both sides.
 */
export interface EventFilter<K extends InventoryKind = InventoryKind> {
  kind: K;
  clusterId?: number | undefined;
  node?: string | undefined;
  vmid?: number | undefined;
}

/**
 * matchesEvent evaluates a filter on an event in memory (what the live fan-out does per
 * subscriber; {@link eventFilterSql} is the same predicate for reads of the log).
 */
export function matchesEvent(filter: EventFilter, event: InventoryEvent): boolean {
  if (event.kind !== filter.kind) return false;
  if (filter.clusterId !== undefined && event.clusterId !== filter.clusterId) return false;
  if (filter.vmid !== undefined && event.vmid !== filter.vmid) return false;
  if (
    filter.node !== undefined &&
    event.node !== filter.node &&
    event.previousNode !== filter.node
  ) {
    return false;
  }
  return true;
}

/**
 * eventFilterSql renders {@link matchesEvent} as SQL conditions on `inventory_event`, appending
 * its values to `params` (placeholders continue from the values already there).
 */
export function eventFilterSql(filter: EventFilter, params: unknown[]): string[] {
  const add = (value: unknown) => `$${params.push(value)}`;
  const conditions = [`kind = ${add(filter.kind)}`];
  if (filter.clusterId !== undefined) conditions.push(`cluster_id = ${add(filter.clusterId)}`);
  if (filter.vmid !== undefined) conditions.push(`vmid = ${add(filter.vmid)}`);
  if (filter.node !== undefined) {
    const node = add(filter.node);
    conditions.push(`(node_name = ${node} or previous_node_name = ${node})`);
  }
  return conditions;
}
