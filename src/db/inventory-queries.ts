import type { Database } from './database.js';
import {
  type IpAddressRecord,
  ipAddressFromRow,
  type NodeRecord,
  nodeFromRow,
  type StorageRecord,
  type TemplateRecord,
  templateFromRow,
  type VmRecord,
  vmFromRow,
} from './inventory-records.js';
import { groupRows } from './queries/group-rows.js';
import {
  type NodeListFilter,
  nodeConditions,
  type StorageListFilter,
  storageConditions,
  type VmListFilter,
  vmConditions,
} from './queries/inventory-filters.js';
import { jsonNumber, jsonString, jsonStrings, utcIsoSql } from './queries/json-values.js';
import { type KeyColumn, KeysetList, type ListSpec } from './queries/keyset-list.js';
import { createSqlRunner, type SqlRunner } from './queries/sql-runner.js';

/** GROUP_BY_CLUSTER groups rows by cluster: `PveCluster.nodes/vms/storages`. */
export const GROUP_BY_CLUSTER: readonly KeyColumn[] = [{ column: 'cluster_id', type: 'int' }];

/** GROUP_BY_NODE groups rows by (cluster, node name): `PveNode.vms`, `PveNode.storages`. */
export const GROUP_BY_NODE: readonly KeyColumn[] = [
  { column: 'cluster_id', type: 'int' },
  { column: 'node_name', type: 'text' },
];

/**
 * IP_ADDRESSES_NOT_LOADED is the `ipAddresses` of a {@link VmRecord} read from `pve_vm` alone:
 * its addresses are in `vm_ipaddress` and load separately (batched). Compare by identity, see
 * {@link ipAddressesLoaded}. Records from events carry their addresses as they were.
 */
export const IP_ADDRESSES_NOT_LOADED = Object.freeze([] as IpAddressRecord[]) as IpAddressRecord[];

/** ipAddressesLoaded tells whether a record carries its addresses (false: load them by `id`). */
export function ipAddressesLoaded(vm: VmRecord): boolean {
  return vm.ipAddresses !== IP_ADDRESSES_NOT_LOADED;
}

const ts = (column: string) => utcIsoSql(`p.${column}`);

const NODE_COLUMNS = [
  'id',
  'cluster_id',
  'node_name',
  'status',
  'ip_address',
  'level',
  'max_cpu',
  'max_mem',
  'max_disk',
  'cpu_usage',
  'mem_used',
  'disk_used',
  'uptime',
  'last_sync_time',
];

const NODE_SPEC: ListSpec<NodeRecord> = {
  table: 'pve_node',
  columns: NODE_COLUMNS,
  // pve_node_cluster_id_node_name_unique
  key: GROUP_BY_NODE,
  values: [...NODE_COLUMNS.slice(0, -1).map((c) => `p.${c}`), ts('last_sync_time')],
  // Reads as nodeFromRow maps (test/db/inventory-pages.test.ts holds them to it).
  reader: () => (v) => ({
    id: Number(v[0]),
    clusterId: Number(v[1]),
    name: String(v[2]),
    status: String(v[3]),
    ipAddress: jsonString(v[4]),
    level: jsonString(v[5]),
    maxCpu: jsonNumber(v[6]),
    maxMem: jsonNumber(v[7]),
    maxDisk: jsonNumber(v[8]),
    cpuUsage: jsonNumber(v[9]),
    memUsed: jsonNumber(v[10]),
    diskUsed: jsonNumber(v[11]),
    uptime: jsonNumber(v[12]),
    lastSyncTime: String(v[13]),
  }),
  keyOf: (node) => [node.clusterId, node.name],
};

const VM_COLUMNS = [
  'id',
  'cluster_id',
  'vmid',
  'type',
  'node_name',
  'vm_name',
  'status',
  'is_template',
  'cpu_num',
  'max_mem',
  'max_disk',
  'tags',
  'lock',
  'hastate',
  'pool',
  'description',
  'agent_enabled',
  'cpu_usage',
  'mem_used',
  'disk_used',
  'net_in',
  'net_out',
  'disk_read',
  'disk_write',
  'uptime',
  'last_sync_time',
];

/**
 * A guest's addresses as a JSON array of `vm_ipaddress` rows (each a JSON array), in the order of
 * {@link InventoryQueries.ipAddressesByVmId}: a page detail, so a page of guests and their
 * addresses are one statement.
 */
const VM_IP_ADDRESSES_DETAIL = `(select coalesce(json_agg(json_build_array(
    a.nic_name, a.mac_address, a.ip_address, a.ip_version, a.prefix_length, a.config_nic)
    order by a.nic_name, a.ip_version, a.ip_address), '[]'::json)
  from vm_ipaddress a where a.vm_id = p.id)`;

/** Reads one address of {@link VM_IP_ADDRESSES_DETAIL} as ipAddressFromRow maps a row. */
function ipAddressFromValues(v: readonly unknown[]): IpAddressRecord {
  return {
    nicName: String(v[0]),
    macAddress: jsonString(v[1]),
    ipAddress: String(v[2]),
    ipVersion: Number(v[3]) === 6 ? 6 : 4,
    prefixLength: jsonNumber(v[4]),
    configNic: jsonString(v[5]),
  };
}

/** Reads a guest's values as vmFromRow maps a row; addresses from the detail when present. */
function vmFromValues(v: readonly unknown[], ipAddresses: IpAddressRecord[]): VmRecord {
  return {
    id: Number(v[0]),
    clusterId: Number(v[1]),
    vmid: Number(v[2]),
    type: v[3] === 'lxc' ? 'lxc' : 'qemu',
    node: String(v[4]),
    name: jsonString(v[5]),
    status: String(v[6]),
    template: Number(v[7]) === 1,
    cpus: jsonNumber(v[8]),
    maxMem: jsonNumber(v[9]),
    maxDisk: jsonNumber(v[10]),
    tags: jsonStrings(v[11]),
    lock: jsonString(v[12]),
    hastate: jsonString(v[13]),
    pool: jsonString(v[14]),
    description: jsonString(v[15]),
    agentEnabled: v[16] === null || v[16] === undefined ? null : Boolean(v[16]),
    ipAddresses,
    cpuUsage: jsonNumber(v[17]),
    memUsed: jsonNumber(v[18]),
    diskUsed: jsonNumber(v[19]),
    netIn: jsonNumber(v[20]),
    netOut: jsonNumber(v[21]),
    diskRead: jsonNumber(v[22]),
    diskWrite: jsonNumber(v[23]),
    uptime: jsonNumber(v[24]),
    lastSyncTime: String(v[25]),
  };
}

const VM_SPEC: ListSpec<VmRecord> = {
  table: 'pve_vm',
  columns: VM_COLUMNS,
  // pve_vm_cluster_id_vmid_unique
  key: [
    { column: 'cluster_id', type: 'int' },
    { column: 'vmid', type: 'int' },
  ],
  values: [...VM_COLUMNS.slice(0, -1).map((c) => `p.${c}`), ts('last_sync_time')],
  // Details are named after the GraphQL field of PveVm they fill.
  details: { ipAddresses: VM_IP_ADDRESSES_DETAIL },
  reader: (details) => {
    const at = details.indexOf('ipAddresses');
    if (at < 0) return (v) => vmFromValues(v, IP_ADDRESSES_NOT_LOADED);
    const index = VM_COLUMNS.length + at;
    return (v) => vmFromValues(v, (v[index] as unknown[][]).map(ipAddressFromValues));
  },
  keyOf: (vm) => [vm.clusterId, vm.vmid],
};

const STORAGE_COLUMNS = [
  'id',
  'cluster_id',
  'node_name',
  'storage_name',
  'type',
  'content',
  'status',
  'active',
  'enabled',
  'shared',
  'total',
  'used',
  'avail',
  'used_fraction',
  'last_sync_time',
];

const STORAGE_SPEC: ListSpec<StorageRecord> = {
  table: 'pve_storage',
  columns: STORAGE_COLUMNS,
  // pve_storage_cluster_id_node_name_storage_name_unique
  key: [
    { column: 'cluster_id', type: 'int' },
    { column: 'node_name', type: 'text' },
    { column: 'storage_name', type: 'text' },
  ],
  values: [...STORAGE_COLUMNS.slice(0, -1).map((c) => `p.${c}`), ts('last_sync_time')],
  // Reads as storageFromRow maps.
  reader: () => (v) => {
    const content = String(v[5] ?? '');
    return {
      id: Number(v[0]),
      clusterId: Number(v[1]),
      node: String(v[2]),
      name: String(v[3]),
      type: String(v[4]),
      content: content === '' ? [] : content.split(','),
      status: String(v[6]),
      active: Number(v[7]) === 1,
      enabled: Number(v[8]) === 1,
      shared: Number(v[9]) === 1,
      total: jsonNumber(v[10]),
      used: jsonNumber(v[11]),
      avail: jsonNumber(v[12]),
      usedFraction: jsonNumber(v[13]),
      lastSyncTime: String(v[14]),
    };
  },
  keyOf: (storage) => [storage.clusterId, storage.node, storage.name],
};

/** ClusterCounts are the sizes of one cluster's inventory. */
export interface ClusterCounts {
  nodes: number;
  /** Nodes with status `online`. */
  onlineNodes: number;
  /** Guests (QEMU and LXC, templates included). */
  vms: number;
  /** Guests with status `running`. */
  runningVms: number;
  /** Rows of the template catalogue (`vm_template`). */
  templates: number;
  /** Storage rows (one per node and storage). */
  storages: number;
}

/** VmKey identifies a guest: vmid is unique within a cluster. */
export interface VmKey {
  clusterId: number;
  vmid: number;
}

/** NodeKey identifies a node by name within its cluster. */
export interface NodeKey {
  clusterId: number;
  name: string;
}

/** InventoryQueriesOptions are the inputs of {@link InventoryQueries}. */
export interface InventoryQueriesOptions {
  db: Database;
  /** Called with every statement and its values before it runs (tests, EXPLAIN). */
  onStatement?: (text: string, values: readonly unknown[]) => void;
}

/**
 * InventoryQueries is the read side of the inventory: keyset-paginated lists with filters and
 * counts (also per group of parents, one statement for all of them), and batched lookups, each
 * one SQL statement whatever the number of keys. Records are the shapes of inventory-records.ts.
 * Guests come without their addresses ({@link IP_ADDRESSES_NOT_LOADED}) unless a page asks for
 * the `ipAddresses` detail; load them with {@link InventoryQueries.ipAddressesByVmId} otherwise.
 */
export class InventoryQueries {
  readonly #sql: SqlRunner;
  /** nodes lists `pve_node` in (cluster id, node name) order. */
  readonly nodes: KeysetList<NodeRecord, NodeListFilter>;
  /** vms lists `pve_vm` in (cluster id, vmid) order. */
  readonly vms: KeysetList<VmRecord, VmListFilter>;
  /** storages lists `pve_storage` in (cluster id, node name, storage name) order. */
  readonly storages: KeysetList<StorageRecord, StorageListFilter>;

  constructor(options: InventoryQueriesOptions) {
    this.#sql = createSqlRunner(
      options.db,
      options.onStatement ? { onStatement: options.onStatement } : {},
    );
    this.nodes = new KeysetList(this.#sql, NODE_SPEC, nodeConditions);
    this.vms = new KeysetList(this.#sql, VM_SPEC, vmConditions);
    this.storages = new KeysetList(this.#sql, STORAGE_SPEC, storageConditions);
  }

  /** vmsByKey returns the guest of each key, or null, aligned with `keys`. */
  async vmsByKey(keys: readonly VmKey[]): Promise<(VmRecord | null)[]> {
    if (keys.length === 0) return [];
    const rows = await this.#sql.query(
      `select ${VM_COLUMNS.map((c) => `t.${c}`).join(', ')} from pve_vm t ` +
        'join unnest($1::int[], $2::int[]) as k(cluster_id, vmid) ' +
        'on t.cluster_id = k.cluster_id and t.vmid = k.vmid',
      [keys.map((k) => k.clusterId), keys.map((k) => k.vmid)],
    );
    const found = new Map(
      rows.map((row) => [`${row.cluster_id}/${row.vmid}`, vmFromRow(row, IP_ADDRESSES_NOT_LOADED)]),
    );
    return keys.map((k) => found.get(`${k.clusterId}/${k.vmid}`) ?? null);
  }

  /** nodesByName returns the node of each key, or null, aligned with `keys`. */
  async nodesByName(keys: readonly NodeKey[]): Promise<(NodeRecord | null)[]> {
    if (keys.length === 0) return [];
    const rows = await this.#sql.query(
      `select ${NODE_COLUMNS.map((c) => `t.${c}`).join(', ')} from pve_node t ` +
        'join unnest($1::int[], $2::text[]) as k(cluster_id, node_name) ' +
        'on t.cluster_id = k.cluster_id and t.node_name = k.node_name',
      [keys.map((k) => k.clusterId), keys.map((k) => k.name)],
    );
    const found = new Map(rows.map((row) => [`${row.cluster_id}/${row.node_name}`, row]));
    return keys.map((k) => {
      const row = found.get(`${k.clusterId}/${k.name}`);
      return row ? nodeFromRow(row) : null;
    });
  }

  /**
   * ipAddressesByVmId returns each guest's addresses (by `pve_vm.id`), aligned with `ids`,
   * ordered by interface, IPv4 first, then address.
   */
  async ipAddressesByVmId(ids: readonly number[]): Promise<IpAddressRecord[][]> {
    if (ids.length === 0) return [];
    const rows = await this.#sql.query(
      'select vm_id, nic_name, mac_address, ip_address, ip_version, prefix_length, config_nic ' +
        'from vm_ipaddress where vm_id = any($1::int[]) ' +
        'order by vm_id, nic_name, ip_version, ip_address',
      [ids],
    );
    const byVm = groupRows(rows, (row) => Number(row.vm_id));
    return ids.map((id) => (byVm.get(id) ?? []).map(ipAddressFromRow));
  }

  /**
   * templates returns the template catalogue of the given clusters (every cluster when
   * `clusterIds` is undefined), in (cluster id, vmid) order.
   */
  async templates(clusterIds?: readonly number[]): Promise<TemplateRecord[]> {
    const columns = 'id, cluster_id, vmid, template_name, node_name, type, description';
    const rows =
      clusterIds === undefined
        ? await this.#sql.query(`select ${columns} from vm_template order by cluster_id, vmid`)
        : await this.#sql.query(
            `select ${columns} from vm_template where cluster_id = any($1::int[]) ` +
              'order by cluster_id, vmid',
            [clusterIds],
          );
    return rows.map(templateFromRow);
  }

  /** clusterCounts returns the inventory sizes of each cluster, aligned with `ids`. */
  async clusterCounts(ids: readonly number[]): Promise<ClusterCounts[]> {
    if (ids.length === 0) return [];
    const rows = await this.#sql.query<ClusterCounts & { ord: string }>(
      `select g.ord, n.nodes, n.online_nodes as "onlineNodes", v.vms, v.running_vms as "runningVms",
         (select count(*) from vm_template x where x.cluster_id = g.id)::int as templates,
         (select count(*) from pve_storage x where x.cluster_id = g.id)::int as storages
       from unnest($1::int[]) with ordinality as g(id, ord)
       cross join lateral (
         select count(*)::int as nodes, (count(*) filter (where x.status = 'online'))::int as online_nodes
         from pve_node x where x.cluster_id = g.id) n
       cross join lateral (
         select count(*)::int as vms, (count(*) filter (where x.status = 'running'))::int as running_vms
         from pve_vm x where x.cluster_id = g.id) v
       order by g.ord`,
      [ids],
    );
    return rows.map(({ ord: _ord, ...counts }) => counts);
  }
}
