import type { ClusterCounts } from '../../db/inventory-queries.js';
import { builder } from '../builder.js';
import { COLUMN } from '../pagination.js';
import { PveClusterRef } from './cluster.js';

/** ClusterCountsRef is the GraphQL `ClusterCounts` type: the sizes of a cluster's inventory. */
export const ClusterCountsRef = builder.objectRef<ClusterCounts>('ClusterCounts').implement({
  description:
    "The sizes of a cluster's inventory, counted in one statement for all clusters asked.",
  fields: (t) => ({
    nodes: t.exposeInt('nodes', COLUMN),
    onlineNodes: t.exposeInt('onlineNodes', {
      ...COLUMN,
      description: 'Nodes with status online.',
    }),
    vms: t.exposeInt('vms', {
      ...COLUMN,
      description: 'Guests, QEMU and LXC, templates included.',
    }),
    runningVms: t.exposeInt('runningVms', {
      ...COLUMN,
      description: 'Guests with status running.',
    }),
    templates: t.exposeInt('templates', {
      ...COLUMN,
      description: 'Entries of the template catalogue (the templates query).',
    }),
    storages: t.exposeInt('storages', {
      ...COLUMN,
      description: 'Storage rows: one per node and storage.',
    }),
  }),
});

builder.objectField(PveClusterRef, 'counts', (t) =>
  t.field({
    type: ClusterCountsRef,
    complexity: 1,
    description: 'How many nodes, guests, templates and storages the inventory holds.',
    resolve: (cluster, _args, ctx) => ctx.loaders.clusterCounts.load(cluster.id),
  }),
);
