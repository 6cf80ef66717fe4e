import { parseClusterId } from '../../db/cluster-store.js';
import { GROUP_BY_CLUSTER, GROUP_BY_NODE, ipAddressesLoaded } from '../../db/inventory-queries.js';
import type { GuestTypeValue, VmRecord } from '../../db/inventory-records.js';
import type { VmListFilter } from '../../db/queries/inventory-filters.js';
import { builder } from '../builder.js';
import { parentRead, READ_DECLINED } from '../execution/parent-read.js';
import { FilterReader } from '../filter-values.js';
import {
  type BuilderTypes,
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
import { VmIpAddressRef } from './ip-address.js';
import { PveNodeRef } from './node.js';

/** GuestType is the GraphQL enum of guest kinds; values are the stored `qemu` / `lxc`. */
export const GuestType = builder.enumType('GuestType', {
  description: 'The kind of guest.',
  values: {
    QEMU: { value: 'qemu', description: 'A QEMU/KVM virtual machine.' },
    LXC: { value: 'lxc', description: 'An LXC container.' },
  } as const,
});

/** PveVmRef is the GraphQL `PveVm` type: one guest (QEMU VM or LXC container). */
export const PveVmRef = builder.objectRef<VmRecord>('PveVm').implement({
  description:
    'A guest of a PVE cluster: a QEMU VM or an LXC container (see type). vmid is unique in its cluster. Usage fields are refreshed at most every PVESPHERE_METRICS_INTERVAL.',
  fields: (t) => ({
    id: t.exposeID('id', { ...COLUMN, description: 'Database id (pve_vm.id).' }),
    clusterId: t.exposeID('clusterId', COLUMN),
    vmid: t.exposeInt('vmid', { ...COLUMN, description: 'PVE guest id, unique in the cluster.' }),
    type: t.expose('type', { ...COLUMN, type: GuestType }),
    node: t.exposeString('node', { ...COLUMN, description: 'Name of the node the guest is on.' }),
    pveNode: t.field({
      type: PveNodeRef,
      nullable: true,
      complexity: 1,
      description: 'The node the guest is on (null while that node is not in the inventory).',
      resolve: (vm, _args, ctx) =>
        ctx.loaders.node.load({ clusterId: vm.clusterId, name: vm.node }),
    }),
    name: t.exposeString('name', {
      ...COLUMN,
      nullable: true,
      description: 'Guest name; the last known one while its node is offline.',
    }),
    status: t.exposeString('status', {
      ...COLUMN,
      description: 'running, stopped, paused (QEMU), or unknown (its node is offline).',
    }),
    template: t.exposeBoolean('template', {
      ...COLUMN,
      description: 'Whether the guest is a template.',
    }),
    cpus: t.exposeInt('cpus', { ...COLUMN, nullable: true, description: 'Virtual CPUs.' }),
    maxMem: t.expose('maxMem', {
      ...COLUMN,
      type: 'Bytes',
      nullable: true,
      description: 'Configured memory.',
    }),
    maxDisk: t.expose('maxDisk', {
      ...COLUMN,
      type: 'Bytes',
      nullable: true,
      description: 'Size of the root disk.',
    }),
    tags: t.exposeStringList('tags', { ...COLUMN, description: 'PVE tags, in PVE order.' }),
    lock: t.exposeString('lock', {
      ...COLUMN,
      nullable: true,
      description: 'Config lock (backup, migrate, snapshot, …), if any.',
    }),
    hastate: t.exposeString('hastate', {
      ...COLUMN,
      nullable: true,
      description: 'HA state (started, stopped, …) when the guest is HA-managed.',
    }),
    pool: t.exposeString('pool', {
      ...COLUMN,
      nullable: true,
      description: 'Resource pool, if any.',
    }),
    description: t.exposeString('description', {
      ...COLUMN,
      nullable: true,
      description: 'Notes from the guest config.',
    }),
    agentEnabled: t.exposeBoolean('agentEnabled', {
      ...COLUMN,
      nullable: true,
      description: 'QEMU guest agent enabled in the config; null when unknown or LXC.',
    }),
    ipAddresses: t.field({
      type: [VmIpAddressRef],
      complexity: 1,
      description:
        'Addresses reported by the QEMU guest agent or LXC, by interface (IPv4 first). Empty when the guest is stopped or has no agent.',
      extensions: parentRead((vm: VmRecord) =>
        ipAddressesLoaded(vm) ? vm.ipAddresses : READ_DECLINED,
      ),
      resolve: (vm, _args, ctx) =>
        ipAddressesLoaded(vm) ? vm.ipAddresses : ctx.loaders.ipAddresses.load(vm.id),
    }),
    cpuUsage: t.exposeFloat('cpuUsage', {
      ...USAGE,
      nullable: true,
      description: 'CPU load as a fraction of cpus (0–1).',
    }),
    memUsed: t.expose('memUsed', {
      ...USAGE,
      type: 'Bytes',
      nullable: true,
    }),
    diskUsed: t.expose('diskUsed', {
      ...USAGE,
      type: 'Bytes',
      nullable: true,
      description: 'Disk usage (LXC; QEMU reports 0 without the agent).',
    }),
    netIn: t.expose('netIn', {
      ...USAGE,
      type: 'Bytes',
      nullable: true,
      description: 'Bytes received since start.',
    }),
    netOut: t.expose('netOut', {
      ...USAGE,
      type: 'Bytes',
      nullable: true,
      description: 'Bytes sent since start.',
    }),
    diskRead: t.expose('diskRead', {
      ...USAGE,
      type: 'Bytes',
      nullable: true,
      description: 'Bytes read since start.',
    }),
    diskWrite: t.expose('diskWrite', {
      ...USAGE,
      type: 'Bytes',
      nullable: true,
      description: 'Bytes written since start.',
    }),
    uptime: t.exposeInt('uptime', {
      ...USAGE,
      nullable: true,
      description: 'Seconds.',
    }),
    lastSyncedAt: t.field({
      ...COLUMN,
      type: 'DateTime',
      description: 'When this guest last matched PVE.',
      extensions: { ...parentRead((vm: VmRecord) => vm.lastSyncTime), [USAGE_FIELD]: true },
      resolve: (vm) => vm.lastSyncTime,
    }),
  }),
});

linkToCluster(PveVmRef, 'guest');

/** PveVmConnection is a page of guests. */
export const PveVmConnection = connectionType('PveVm', PveVmRef, 'guest');

/** The filter fields every guest filter has (the cluster and node ones vary by parent). */
function guestFilterFields(t: PothosSchemaTypes.InputFieldBuilder<BuilderTypes, 'InputObject'>) {
  return {
    status: t.string({ description: 'Exact status: running, stopped, paused, unknown.' }),
    statusIn: t.stringList({ description: 'Any of these statuses.' }),
    type: t.field({ type: GuestType }),
    template: t.boolean({ description: 'true: only templates; false: no templates.' }),
    nameContains: t.string({
      description: 'Case-insensitive substring of the name (% and _ match literally).',
    }),
    tag: t.string({ description: 'Guests carrying this tag.' }),
    vmids: t.intList({ description: 'Any of these vmids (at most 1000).' }),
    pool: t.string({ description: 'Resource pool.' }),
  };
}

const VmFilter = builder.inputType('VmFilter', {
  description: 'Which guests to list; every field given must match.',
  fields: (t) => ({
    clusterId: t.id(),
    node: t.string({ description: 'Name of the node the guests are on.' }),
    ...guestFilterFields(t),
  }),
});

const ClusterVmFilter = builder.inputType('ClusterVmFilter', {
  description: "Which of the cluster's guests to list; every field given must match.",
  fields: (t) => ({
    node: t.string({ description: 'Name of the node the guests are on.' }),
    ...guestFilterFields(t),
  }),
});

const NodeVmFilter = builder.inputType('NodeVmFilter', {
  description: "Which of the node's guests to list; every field given must match.",
  fields: (t) => guestFilterFields(t),
});

interface VmFilterArgs {
  clusterId?: string | null;
  node?: string | null;
  status?: string | null;
  statusIn?: readonly string[] | null;
  type?: GuestTypeValue | null;
  template?: boolean | null;
  nameContains?: string | null;
  tag?: string | null;
  vmids?: readonly number[] | null;
  pool?: string | null;
}

/** readVmFilter validates a VmFilter (or ClusterVmFilter, NodeVmFilter) argument. */
function readVmFilter(input: VmFilterArgs | null | undefined): VmListFilter {
  const read = new FilterReader();
  return {
    clusterId: read.clusterId('clusterId', input?.clusterId),
    node: read.text('node', input?.node),
    status: read.text('status', input?.status),
    statusIn: read.texts('statusIn', input?.statusIn),
    type: read.value(input?.type),
    template: read.value(input?.template),
    nameContains: read.text('nameContains', input?.nameContains),
    tag: read.text('tag', input?.tag),
    vmids: read.ints('vmids', input?.vmids),
    pool: read.text('pool', input?.pool),
  };
}

builder.queryFields((t) => ({
  vms: t.field({
    type: PveVmConnection,
    description: 'Guests of every cluster, ordered by (cluster id, vmid).',
    args: { filter: t.arg({ type: VmFilter }), ...pageArgs(t.arg) },
    complexity: connectionComplexity,
    resolve: (_root, args, ctx, info) =>
      listConnection(ctx.services.inventory.vms, readVmFilter(args.filter), args, info),
  }),
  vm: t.field({
    type: PveVmRef,
    nullable: true,
    complexity: 1,
    description: 'One guest by cluster and vmid, or null.',
    args: { clusterId: t.arg.id({ required: true }), vmid: t.arg.int({ required: true }) },
    resolve: (_root, args, ctx) =>
      ctx.loaders.vm.load({
        clusterId: parseClusterId(args.clusterId, 'clusterId'),
        vmid: args.vmid,
      }),
  }),
}));

builder.objectField(PveClusterRef, 'vms', (t) =>
  t.field({
    type: PveVmConnection,
    description: 'Guests of this cluster, ordered by vmid.',
    args: { filter: t.arg({ type: ClusterVmFilter }), ...pageArgs(t.arg) },
    complexity: connectionComplexity,
    resolve: (cluster, args, ctx, info) =>
      groupConnection(
        ctx.loaders,
        ctx.services.inventory.vms,
        GROUP_BY_CLUSTER,
        [cluster.id],
        readVmFilter(args.filter),
        args,
        info,
      ),
  }),
);

builder.objectField(PveNodeRef, 'vms', (t) =>
  t.field({
    type: PveVmConnection,
    description: 'Guests on this node, ordered by vmid.',
    args: { filter: t.arg({ type: NodeVmFilter }), ...pageArgs(t.arg) },
    complexity: connectionComplexity,
    resolve: (node, args, ctx, info) =>
      groupConnection(
        ctx.loaders,
        ctx.services.inventory.vms,
        GROUP_BY_NODE,
        [node.clusterId, node.name],
        readVmFilter(args.filter),
        args,
        info,
      ),
  }),
);
