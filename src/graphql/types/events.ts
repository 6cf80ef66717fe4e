import type { ArgBuilder, ObjectRef } from '@pothos/core';
import { parseClusterId } from '../../db/cluster-store.js';
import type { EventFilter } from '../../events/event-filter.js';
import type { InventoryEvent, InventoryKind } from '../../events/inventory-change.js';
import { ExpectedError, InputError } from '../../lib/expected-error.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { type BuilderTypes, COLUMN } from '../pagination.js';
import { PveNodeRef } from './node.js';
import { PveStorageRef } from './storage.js';
import { PveVmRef } from './vm.js';

/** InventoryEventType is the GraphQL enum of what happened to an object. */
export const InventoryEventType = builder.enumType('InventoryEventType', {
  description: 'What happened to an inventory object.',
  values: {
    ADDED: { description: 'The object appeared in PVE.' },
    UPDATED: {
      description: 'An inventory field changed (see changedFields); usage metrics never count.',
    },
    DELETED: {
      description: 'The object is gone from PVE; the event carries its last known state.',
    },
  } as const,
});

builder.subscriptionType({
  description:
    'Inventory changes as they are synced from PVE, over graphql-ws or SSE. Each event comes once, in sequence order; pass the sequence of the last event seen as after to resume without a gap.',
});

/** EventShape is what every event type resolves from: an InventoryEvent of one kind. */
type EventShape<P> = Pick<
  InventoryEvent,
  'type' | 'sequence' | 'at' | 'clusterId' | 'changedFields'
> & { payload: P; previous: P | null };

/**
 * eventType defines `Pve<Kind>Event`: type, sequence, at, clusterId, the object as it was under
 * `objectField` (rendered through the same type as queries), previous and changedFields.
 */
function eventType<P>(
  name: string,
  what: string,
  objectField: string,
  objectRef: ObjectRef<BuilderTypes, P>,
): ObjectRef<BuilderTypes, EventShape<P>> {
  return builder.objectRef<EventShape<P>>(name).implement({
    description: `A change of one ${what}.`,
    fields: (t) => ({
      type: t.field({ ...COLUMN, type: InventoryEventType, resolve: (event) => event.type }),
      sequence: t.exposeString('sequence', {
        ...COLUMN,
        description:
          'Position in the event log, a decimal integer as a string (64 bits). Increases with every event; gaps are possible. Pass it as after to resume.',
      }),
      at: t.field({
        ...COLUMN,
        type: 'DateTime',
        description: 'When the change was written.',
        resolve: (event) => event.at,
      }),
      clusterId: t.exposeID('clusterId', COLUMN),
      [objectField]: t.expose('payload', {
        ...COLUMN,
        type: objectRef,
        description: `The ${what} as it was after this change; for DELETED, its last known state.`,
      }),
      previous: t.expose('previous', {
        ...COLUMN,
        type: objectRef,
        nullable: true,
        description: `For UPDATED, the ${what} as it was before this change.`,
      }),
      changedFields: t.exposeStringList('changedFields', {
        ...COLUMN,
        description: `For UPDATED, the inventory fields that changed (names of ${objectRef.name} fields).`,
      }),
    }),
  });
}

/** PveNodeEvent is a change of a node. */
export const PveNodeEvent = eventType('PveNodeEvent', 'node', 'node', PveNodeRef);
/** PveVmEvent is a change of a guest; a migration is one UPDATED with `node` in changedFields. */
export const PveVmEvent = eventType('PveVmEvent', 'guest', 'vm', PveVmRef);
/** PveStorageEvent is a change of a storage as one node sees it. */
export const PveStorageEvent = eventType('PveStorageEvent', 'storage', 'storage', PveStorageRef);

interface EventArgs {
  clusterId?: string | null;
  node?: string | null;
  vmid?: number | null;
  after?: string | null;
}

/** subscribeTo validates the arguments of a subscription and opens its event stream. */
function subscribeTo<K extends InventoryKind>(kind: K, args: EventArgs, ctx: GraphQLContext) {
  const { clusterId, node, vmid, after } = args;
  if (node !== null && node !== undefined && (node.length > 255 || node.includes('\u0000'))) {
    throw new InputError([
      { field: 'node', message: 'must be at most 255 characters, without NUL' },
    ]);
  }
  const filter: EventFilter<K> = {
    kind,
    clusterId:
      clusterId === null || clusterId === undefined
        ? undefined
        : parseClusterId(clusterId, 'clusterId'),
    node: node ?? undefined,
    vmid: vmid ?? undefined,
  };
  return ctx.services.events.subscribe({ filter, after });
}

/**
 * unwrap is the resolver of the subscription fields: the stream's events pass through; the
 * expected error that ends a stream (too slow, expired) is thrown, so the client receives it
 * with its code as the last result before `complete`.
 */
function unwrap<T>(item: T | ExpectedError): T {
  if (item instanceof ExpectedError) throw item;
  return item;
}

/** eventArgs are the arguments every subscription takes: cluster, node (described per kind), after. */
function eventArgs(arg: ArgBuilder<BuilderTypes>, nodeDescription: string) {
  return {
    clusterId: arg.id({ description: 'Only this cluster.' }),
    node: arg.string({ description: nodeDescription }),
    after: arg.string({
      description:
        'Resume after this event sequence: first the events of the log after it (the same filter applies), then live ones, without gap or duplicate. Fails with EVENTS_EXPIRED when the log no longer holds them.',
    }),
  };
}

builder.subscriptionFields((t) => ({
  nodeChanged: t.field({
    type: PveNodeEvent,
    description: 'Nodes added, updated (status, address, capacity) or deleted.',
    args: eventArgs(t.arg, 'Only this node.'),
    subscribe: (_root, args, ctx) => subscribeTo('node', args, ctx),
    resolve: unwrap,
  }),
  vmChanged: t.field({
    type: PveVmEvent,
    description:
      'Guests (QEMU VMs and LXC containers) added, updated (inventory fields: name, status, node, config, tags, IPs, …) or deleted.',
    args: {
      ...eventArgs(
        t.arg,
        'Only guests on this node, or leaving it: a migration is seen from both sides.',
      ),
      vmid: t.arg.int({ description: 'Only this guest.' }),
    },
    subscribe: (_root, args, ctx) => subscribeTo('vm', args, ctx),
    resolve: unwrap,
  }),
  storageChanged: t.field({
    type: PveStorageEvent,
    description: 'Storages (one per node that sees them) added, updated or deleted.',
    args: eventArgs(t.arg, 'Only storages as this node sees them.'),
    subscribe: (_root, args, ctx) => subscribeTo('storage', args, ctx),
    resolve: unwrap,
  }),
}));
