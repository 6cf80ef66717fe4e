import { parseClusterId } from '../../db/cluster-store.js';
import type {
  CLUSTER_SYNC_STATES,
  ClusterSyncStateValue,
  IPveCluster,
} from '../../db/entities/cluster.entity.js';
import { ExpectedError } from '../../lib/expected-error.js';
import { builder } from '../builder.js';
import { creatorName } from '../principal.js';

/** ClusterSyncStatusShape is what `PveCluster.sync` resolves to. */
interface ClusterSyncStatusShape {
  state: ClusterSyncStateValue;
  lastSyncedAt: Date | null | undefined;
  lastError: string | null | undefined;
}

const ClusterSyncState = builder.enumType('ClusterSyncState', {
  description: 'Where syncing a cluster stands. Kept in the database, so every replica serves it.',
  values: {
    PENDING: { description: 'Enabled, not synced yet.' },
    SYNCING: { description: 'The first list is in progress.' },
    SYNCED: { description: 'The inventory follows PVE.' },
    ERROR: { description: 'Syncing fails; see lastError. The inventory is kept as it was.' },
    DISABLED: { description: 'is_enabled = 0: not synced; the inventory is kept.' },
  } satisfies Record<(typeof CLUSTER_SYNC_STATES)[number], { description: string }>,
});

const ClusterSyncStatus = builder.objectRef<ClusterSyncStatusShape>('ClusterSyncStatus').implement({
  description: 'The sync status of one cluster.',
  fields: (t) => ({
    state: t.field({ type: ClusterSyncState, resolve: (s) => s.state }),
    lastSyncedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the inventory last matched PVE.',
      resolve: (s) => s.lastSyncedAt ?? null,
    }),
    lastError: t.string({
      nullable: true,
      description: 'Why syncing fails, readable (never contains a secret).',
      resolve: (s) => s.lastError ?? null,
    }),
  }),
});

/** PveClusterRef is the GraphQL `PveCluster` type, backed by a `pve_cluster` row. */
export const PveClusterRef = builder.objectRef<IPveCluster>('PveCluster').implement({
  description:
    'A Proxmox VE cluster pvesphere knows about. The token secret is write-only: only hasToken is exposed.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name', { description: 'Unique name (pve_cluster.cluster_name).' }),
    alias: t.exposeString('alias', { description: 'Display name (cluster_name_alias).' }),
    env: t.exposeString('env', { description: 'Environment label, such as prod.' }),
    apiUrl: t.exposeString('apiUrl', {
      description: 'Base URL of the PVE API, https://host:8006.',
    }),
    tokenId: t.exposeString('tokenId', { description: 'API token id, user@realm!name (user_id).' }),
    hasToken: t.boolean({
      description: 'Whether a token secret is stored.',
      resolve: (c) => c.tokenSecret.length > 0,
    }),
    isEnabled: t.boolean({
      description: 'Whether pvesphere syncs this cluster (is_enabled).',
      resolve: (c) => c.isEnabled === 1,
    }),
    isSchedulable: t.boolean({
      description:
        'Whether new VMs may be placed on this cluster (is_schedulable). Never affects syncing.',
      resolve: (c) => c.isSchedulable === 1,
    }),
    creator: t.exposeString('creator'),
    tlsFingerprint: t.exposeString('tlsFingerprint', {
      nullable: true,
      description: 'Pinned SHA-256 fingerprint of the PVE certificate (AA:BB:…), if any.',
    }),
    tlsInsecure: t.exposeBoolean('tlsInsecure', {
      description: 'TLS verification is switched off for this cluster.',
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (c) => c.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (c) => c.updatedAt }),
    sync: t.field({
      type: ClusterSyncStatus,
      resolve: (c) => ({
        // is_enabled = 0 (also when set by SQL a moment ago) is DISABLED, whatever was last recorded.
        state: c.isEnabled === 1 ? (c.syncState as ClusterSyncStateValue) : 'DISABLED',
        lastSyncedAt: c.lastSyncedAt,
        lastError: c.lastError,
      }),
    }),
  }),
});

builder.queryFields((t) => ({
  clusters: t.field({
    type: [PveClusterRef],
    description: 'Every cluster, ordered by id.',
    resolve: (_root, _args, ctx) => ctx.services.clusters.list(),
  }),
  cluster: t.field({
    type: PveClusterRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.clusters.get(parseClusterId(args.id)),
  }),
}));

const CreateClusterInput = builder.inputType('CreateClusterInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: '1–64 characters, unique.' }),
    alias: t.string(),
    env: t.string(),
    apiUrl: t.string({
      required: true,
      description: 'https://host:8006 (a trailing /api2/json is accepted). http only to loopback.',
    }),
    tokenId: t.string({ required: true, description: 'Full API token id: user@realm!tokenname.' }),
    tokenSecret: t.string({ required: true, description: 'The token secret (UUID). Write-only.' }),
    isEnabled: t.boolean({ description: 'Sync this cluster. Default true.' }),
    isSchedulable: t.boolean({ description: 'Allow VM placement. Default true.' }),
    tlsFingerprint: t.string({
      description: 'Pin the certificate: SHA-256 as AA:BB:… (32 bytes).',
    }),
    tlsInsecure: t.boolean({ description: 'Skip TLS verification (explicit opt-in).' }),
    creator: t.string({ description: 'Recorded creator; default: the authenticated principal.' }),
  }),
});

const UpdateClusterInput = builder.inputType('UpdateClusterInput', {
  description: 'Only the fields given change. tlsFingerprint: null removes the pin.',
  fields: (t) => ({
    name: t.string(),
    alias: t.string(),
    env: t.string(),
    apiUrl: t.string(),
    tokenId: t.string(),
    tokenSecret: t.string(),
    isEnabled: t.boolean(),
    isSchedulable: t.boolean(),
    tlsFingerprint: t.string(),
    tlsInsecure: t.boolean(),
    creator: t.string(),
  }),
});

builder.mutationFields((t) => ({
  createCluster: t.field({
    type: PveClusterRef,
    args: { input: t.arg({ type: CreateClusterInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.clusters.create({
        ...input,
        creator: input.creator ?? creatorName(ctx.principal),
      }),
  }),
  updateCluster: t.field({
    type: PveClusterRef,
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateClusterInput, required: true }),
    },
    resolve: (_root, { id, input }, ctx) => ctx.services.clusters.update(parseClusterId(id), input),
  }),
  setClusterEnabled: t.field({
    type: PveClusterRef,
    description: 'Start or stop syncing a cluster at once; its inventory is kept.',
    args: { id: t.arg.id({ required: true }), enabled: t.arg.boolean({ required: true }) },
    resolve: (_root, { id, enabled }, ctx) =>
      ctx.services.clusters.setEnabled(parseClusterId(id), enabled),
  }),
  setClusterSchedulable: t.field({
    type: PveClusterRef,
    description: 'Allow or forbid VM placement on a cluster. Never affects syncing.',
    args: { id: t.arg.id({ required: true }), schedulable: t.arg.boolean({ required: true }) },
    resolve: (_root, { id, schedulable }, ctx) =>
      ctx.services.clusters.setSchedulable(parseClusterId(id), schedulable),
  }),
  resyncCluster: t.field({
    type: PveClusterRef,
    description:
      'Force a full relist of an enabled cluster now: node IPs re-read and every object compared with what the database holds.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const clusterId = parseClusterId(id);
      const cluster = await ctx.services.clusters.getOrThrow(clusterId);
      if (cluster.isEnabled !== 1) {
        throw new ExpectedError(
          'CLUSTER_DISABLED',
          `cluster ${clusterId} is disabled: enable it to sync it`,
        );
      }
      if (!ctx.services.sync) {
        throw new ExpectedError(
          'SYNC_NOT_RUNNING',
          'this server does not sync clusters (PVESPHERE_SYNC=false)',
        );
      }
      if (!(await ctx.services.sync.resync(clusterId))) {
        throw new ExpectedError(
          'SYNC_NOT_RUNNING',
          `cluster ${clusterId} is not being synced by this server; see its sync.lastError`,
        );
      }
      return ctx.services.clusters.getOrThrow(clusterId);
    },
  }),
  deleteCluster: t.field({
    type: 'ID',
    description: 'Delete a cluster and its whole inventory. Returns the id.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const clusterId = parseClusterId(id);
      await ctx.services.clusters.delete(clusterId);
      return String(clusterId);
    },
  }),
}));
