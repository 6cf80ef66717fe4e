import { GROUP_BY_CLUSTER } from '../../db/inventory-queries.js';
import type { NodeRecord } from '../../db/inventory-records.js';
import type { NodeListFilter } from '../../db/queries/inventory-filters.js';
import { builder } from '../builder.js';
import { parentRead } from '../execution/parent-read.js';
import { FilterReader } from '../filter-values.js';
import {
  COLUMN,
  connectionComplexity,
  connectionType,
  groupConnection,
  listConnection,
  pageArgs,
} from '../pagination.js';
import { USAGE, USAGE_FIELD } from '../usage-fields.js';
import { PveClusterRef } from './cluster.js';
import { linkToCluster } from './cluster-link.js';

/** PveNodeRef is the GraphQL `PveNode` type: one member node of a cluster. */
export const PveNodeRef = builder.objectRef<NodeRecord>('PveNode').implement({
  description:
    'A node (host) of a PVE cluster. Capacity and usage as PVE reports them; usage is refreshed at most every PVESPHERE_METRICS_INTERVAL.',
  fields: (t) => ({
    id: t.exposeID('id', { ...COLUMN, description: 'Database id (pve_node.id).' }),
    clusterId: t.exposeID('clusterId', COLUMN),
    name: t.exposeString('name', { ...COLUMN, description: 'Node name (pve1).' }),
    status: t.exposeString('status', { ...COLUMN, description: 'online, offline or unknown.' }),
    ipAddress: t.exposeString('ipAddress', {
      ...COLUMN,
      nullable: true,
      description: 'Cluster network address of the node (from /cluster/status).',
    }),
    level: t.exposeString('level', {
      ...COLUMN,
      nullable: true,
      description: 'Subscription level: c (community), b (basic), s (standard), p (premium).',
    }),
    maxCpu: t.exposeInt('maxCpu', { ...COLUMN, nullable: true, description: 'CPU threads.' }),
    maxMem: t.expose('maxMem', {
      ...COLUMN,
      type: 'Bytes',
      nullable: true,
      description: 'Memory.',
    }),
    maxDisk: t.expose('maxDisk', {
      ...COLUMN,
      type: 'Bytes',
      nullable: true,
      description: 'Root file system size.',
    }),
    cpuUsage: t.exposeFloat('cpuUsage', {
      ...USAGE,
      nullable: true,
      description: 'CPU load as a fraction of maxCpu (0–1).',
    }),
    memUsed: t.expose('memUsed', { ...USAGE, type: 'Bytes', nullable: true }),
    diskUsed: t.expose('diskUsed', { ...USAGE, type: 'Bytes', nullable: true }),
    uptime: t.exposeInt('uptime', { ...USAGE, nullable: true, description: 'Seconds.' }),
    lastSyncedAt: t.field({
      ...COLUMN,
      type: 'DateTime',
      description: 'When this node last matched PVE.',
      extensions: { ...parentRead((node: NodeRecord) => node.lastSyncTime), [USAGE_FIELD]: true },
      resolve: (node) => node.lastSyncTime,
    }),
  }),
});

linkToCluster(PveNodeRef, 'node');

/** PveNodeConnection is a page of nodes. */
export const PveNodeConnection = connectionType('PveNode', PveNodeRef, 'node');

const NodeFilter = builder.inputType('NodeFilter', {
  description: 'Which nodes to list; every field given must match.',
  fields: (t) => ({
    clusterId: t.id(),
    name: t.string({ description: 'Exact node name.' }),
    status: t.string({ description: 'online, offline or unknown.' }),
  }),
});

const ClusterNodeFilter = builder.inputType('ClusterNodeFilter', {
  description: "Which of the cluster's nodes to list; every field given must match.",
  fields: (t) => ({
    name: t.string({ description: 'Exact node name.' }),
    status: t.string({ description: 'online, offline or unknown.' }),
  }),
});

interface NodeFilterArgs {
  clusterId?: string | null;
  name?: string | null;
  status?: string | null;
}

/** readNodeFilter validates a NodeFilter (or ClusterNodeFilter) argument. */
function readNodeFilter(input: NodeFilterArgs | null | undefined): NodeListFilter {
  const read = new FilterReader();
  return {
    clusterId: read.clusterId('clusterId', input?.clusterId),
    name: read.text('name', input?.name),
    status: read.text('status', input?.status),
  };
}

builder.queryField('nodes', (t) =>
  t.field({
    type: PveNodeConnection,
    description: 'Nodes of every cluster, ordered by (cluster id, node name).',
    args: { filter: t.arg({ type: NodeFilter }), ...pageArgs(t.arg) },
    complexity: connectionComplexity,
    resolve: (_root, args, ctx, info) =>
      listConnection(ctx.services.inventory.nodes, readNodeFilter(args.filter), args, info),
  }),
);

builder.objectField(PveClusterRef, 'nodes', (t) =>
  t.field({
    type: PveNodeConnection,
    description: 'Nodes of this cluster, ordered by name.',
    args: { filter: t.arg({ type: ClusterNodeFilter }), ...pageArgs(t.arg) },
    complexity: connectionComplexity,
    resolve: (cluster, args, ctx, info) =>
      groupConnection(
        ctx.loaders,
        ctx.services.inventory.nodes,
        GROUP_BY_CLUSTER,
        [cluster.id],
        readNodeFilter(args.filter),
        args,
        info,
      ),
  }),
);
