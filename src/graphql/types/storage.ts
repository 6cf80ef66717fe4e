import { GROUP_BY_CLUSTER, GROUP_BY_NODE } from '../../db/inventory-queries.js';
import type { StorageRecord } from '../../db/inventory-records.js';
import type { StorageListFilter } from '../../db/queries/inventory-filters.js';
import { builder } from '../builder.js';
import { parentRead } from '../execution/parent-read.js';
import { FilterReader } from '../filter-values.js';
import type { BuilderTypes } from '../pagination.js';
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
import { PveNodeRef } from './node.js';

/** PveStorageRef is the GraphQL `PveStorage` type: one storage as one node sees it. */
export const PveStorageRef = builder.objectRef<StorageRecord>('PveStorage').implement({
  description:
    'A storage as one node sees it: a shared storage appears once per node, with shared = true. Sizes are refreshed at most every PVESPHERE_METRICS_INTERVAL.',
  fields: (t) => ({
    id: t.exposeID('id', { ...COLUMN, description: 'Database id (pve_storage.id).' }),
    clusterId: t.exposeID('clusterId', COLUMN),
    node: t.exposeString('node', { ...COLUMN, description: 'Name of the node.' }),
    name: t.exposeString('name', {
      ...COLUMN,
      description: 'Storage id (local, local-lvm, ceph-pool).',
    }),
    type: t.exposeString('type', {
      ...COLUMN,
      description: 'Plugin type: dir, lvm, lvmthin, zfspool, nfs, cifs, rbd, cephfs, pbs, …',
    }),
    content: t.exposeStringList('content', {
      ...COLUMN,
      description: 'Content types it holds, sorted: images, rootdir, iso, vztmpl, backup, …',
    }),
    status: t.exposeString('status', { ...COLUMN, description: 'available or unknown.' }),
    active: t.exposeBoolean('active', COLUMN),
    enabled: t.exposeBoolean('enabled', COLUMN),
    shared: t.exposeBoolean('shared', {
      ...COLUMN,
      description: 'Shared by several nodes (NFS, Ceph, …).',
    }),
    total: t.expose('total', { ...USAGE, type: 'Bytes', nullable: true }),
    used: t.expose('used', { ...USAGE, type: 'Bytes', nullable: true }),
    avail: t.expose('avail', { ...USAGE, type: 'Bytes', nullable: true }),
    usedFraction: t.exposeFloat('usedFraction', {
      ...USAGE,
      nullable: true,
      description: 'used / total (0–1).',
    }),
    pveNode: t.field({
      type: PveNodeRef,
      nullable: true,
      complexity: 1,
      description: 'The node (null while that node is not in the inventory).',
      resolve: (storage, _args, ctx) =>
        ctx.loaders.node.load({ clusterId: storage.clusterId, name: storage.node }),
    }),
    lastSyncedAt: t.field({
      ...COLUMN,
      type: 'DateTime',
      description: 'When this storage last matched PVE.',
      extensions: {
        ...parentRead((storage: StorageRecord) => storage.lastSyncTime),
        [USAGE_FIELD]: true,
      },
      resolve: (storage) => storage.lastSyncTime,
    }),
  }),
});

linkToCluster(PveStorageRef, 'storage');

/** PveStorageConnection is a page of storages. */
export const PveStorageConnection = connectionType('PveStorage', PveStorageRef, 'storage');

/** The filter fields every storage filter has (the cluster and node ones vary by parent). */
function storageFilterFields(t: PothosSchemaTypes.InputFieldBuilder<BuilderTypes, 'InputObject'>) {
  return {
    type: t.string({ description: 'Plugin type (dir, lvmthin, rbd, …).' }),
    shared: t.boolean({ description: 'true: only shared storages; false: only local ones.' }),
    name: t.string({ description: 'Storage name (local, ceph-pool).' }),
    content: t.string({ description: 'Storages holding this content type (images, iso, …).' }),
  };
}

const StorageFilter = builder.inputType('StorageFilter', {
  description: 'Which storages to list; every field given must match.',
  fields: (t) => ({
    clusterId: t.id(),
    node: t.string({ description: 'Name of the node.' }),
    ...storageFilterFields(t),
  }),
});

const ClusterStorageFilter = builder.inputType('ClusterStorageFilter', {
  description: "Which of the cluster's storages to list; every field given must match.",
  fields: (t) => ({
    node: t.string({ description: 'Name of the node.' }),
    ...storageFilterFields(t),
  }),
});

const NodeStorageFilter = builder.inputType('NodeStorageFilter', {
  description: "Which of the node's storages to list; every field given must match.",
  fields: (t) => storageFilterFields(t),
});

interface StorageFilterArgs {
  clusterId?: string | null;
  node?: string | null;
  type?: string | null;
  shared?: boolean | null;
  name?: string | null;
  content?: string | null;
}

/** readStorageFilter validates a StorageFilter (or its cluster and node variants). */
function readStorageFilter(input: StorageFilterArgs | null | undefined): StorageListFilter {
  const read = new FilterReader();
  return {
    clusterId: read.clusterId('clusterId', input?.clusterId),
    node: read.text('node', input?.node),
    type: read.text('type', input?.type),
    shared: read.value(input?.shared),
    name: read.text('name', input?.name),
    content: read.text('content', input?.content),
  };
}

builder.queryField('storages', (t) =>
  t.field({
    type: PveStorageConnection,
    description: 'Storages of every cluster, ordered by (cluster id, node name, storage name).',
    args: { filter: t.arg({ type: StorageFilter }), ...pageArgs(t.arg) },
    complexity: connectionComplexity,
    resolve: (_root, args, ctx, info) =>
      listConnection(ctx.services.inventory.storages, readStorageFilter(args.filter), args, info),
  }),
);

builder.objectField(PveClusterRef, 'storages', (t) =>
  t.field({
    type: PveStorageConnection,
    description: 'Storages of this cluster, ordered by (node name, storage name).',
    args: { filter: t.arg({ type: ClusterStorageFilter }), ...pageArgs(t.arg) },
    complexity: connectionComplexity,
    resolve: (cluster, args, ctx, info) =>
      groupConnection(
        ctx.loaders,
        ctx.services.inventory.storages,
        GROUP_BY_CLUSTER,
        [cluster.id],
        readStorageFilter(args.filter),
        args,
        info,
      ),
  }),
);

builder.objectField(PveNodeRef, 'storages', (t) =>
  t.field({
    type: PveStorageConnection,
    description: 'Storages as this node sees them, ordered by storage name.',
    args: { filter: t.arg({ type: NodeStorageFilter }), ...pageArgs(t.arg) },
    complexity: connectionComplexity,
    resolve: (node, args, ctx, info) =>
      groupConnection(
        ctx.loaders,
        ctx.services.inventory.storages,
        GROUP_BY_NODE,
        [node.clusterId, node.name],
        readStorageFilter(args.filter),
        args,
        info,
      ),
  }),
);
