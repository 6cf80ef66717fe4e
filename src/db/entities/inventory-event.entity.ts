import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/** INVENTORY_KINDS are the kinds of object an inventory event is about. */
export const INVENTORY_KINDS = ['node', 'vm', 'storage'] as const;

/** INVENTORY_EVENT_TYPES are the GraphQL `InventoryEventType` values. */
export const INVENTORY_EVENT_TYPES = ['ADDED', 'UPDATED', 'DELETED'] as const;

/**
 * InventoryEvent is a row of `inventory_event`, the event log (a transactional outbox, DESIGN §4):
 * written in the transaction that changes the inventory, published after commit, replayed to
 * subscribers that resume with `after`. `sequence` is assigned under a transaction-scoped
 * advisory lock so sequences become visible in order. There is deliberately no foreign key to
 * `pve_cluster`: deleting a cluster keeps its DELETED events.
 */
export const InventoryEvent = defineEntity({
  name: 'InventoryEvent',
  tableName: 'inventory_event',
  properties: {
    sequence: p.bigint('string').primary().autoincrement(),
    at: p.datetime().defaultRaw('now()'),
    clusterId: p.integer().fieldName('cluster_id'),
    kind: p.enum([...INVENTORY_KINDS]),
    type: p.enum([...INVENTORY_EVENT_TYPES]),
    /** PVE-style key of the object: `node/<n>`, `qemu/<vmid>`, `storage/<n>/<s>`. */
    objectKey: p.string().length(512).fieldName('object_key'),
    /** The node the object is on now (for DELETED: was on). */
    nodeName: p.string().length(255).fieldName('node_name').nullable(),
    /** For a guest that moved: the node it was on before this event. */
    previousNodeName: p.string().length(255).fieldName('previous_node_name').nullable(),
    vmid: p.integer().nullable(),
    /** The object as it was at this event (for DELETED, its last known state). */
    payload: p.json<Record<string, unknown>>().columnType('json'),
    /** For UPDATED, the object before the change. */
    previous: p.json<Record<string, unknown>>().columnType('json').nullable(),
    changedFields: p.array().columnType('text[]').fieldName('changed_fields').default([]),
  },
  indexes: [
    { name: 'inventory_event_at_index', properties: ['at'] },
    { name: 'inventory_event_cluster_id_sequence_index', properties: ['clusterId', 'sequence'] },
  ],
});

/** IInventoryEvent is a loaded `inventory_event` row. */
export interface IInventoryEvent extends InferEntity<typeof InventoryEvent> {}
