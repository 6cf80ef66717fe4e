/**
 * Inventory records are the inventory as pvesphere serves it: what a GraphQL `PveNode`, `PveVm`
 * or `PveStorage` resolves from, and what an `inventory_event` row carries as `payload` and
 * `previous` (the object as it was at that moment). They are plain JSON-safe objects, so an
 * event's payload renders through the same GraphQL types as a live row. `fromRow` functions map
 * database rows (snake_case, as `pg` returns them) to records.
 */

import { sharedStrings } from '../lib/string-pool.js';

/** GuestTypeValue is how a guest's kind is stored (`pve_vm.type`). */
export type GuestTypeValue = 'qemu' | 'lxc';

/** NodeRecord is one cluster member node. */
export interface NodeRecord {
  /** `pve_node.id`. */
  id: number;
  clusterId: number;
  name: string;
  /** `online`, `offline` or `unknown`. */
  status: string;
  ipAddress: string | null;
  /** Subscription level (`c`, `b`, `s`, `p`) or null. */
  level: string | null;
  maxCpu: number | null;
  maxMem: number | null;
  maxDisk: number | null;
  cpuUsage: number | null;
  memUsed: number | null;
  diskUsed: number | null;
  uptime: number | null;
  /** When the row last matched PVE (ISO-8601). */
  lastSyncTime: string;
}

/** IpAddressRecord is one address of one guest NIC. */
export interface IpAddressRecord {
  /** Interface name inside the guest (`eth0`, `ens18`). */
  nicName: string;
  /** Upper-case MAC, as PVE configs write it, when known. */
  macAddress: string | null;
  ipAddress: string;
  ipVersion: 4 | 6;
  prefixLength: number | null;
  /** The config NIC (`net0`) whose MAC matched, when one did. */
  configNic: string | null;
}

/** VmRecord is one guest: a QEMU VM or an LXC container. */
export interface VmRecord {
  /** `pve_vm.id`. */
  id: number;
  clusterId: number;
  vmid: number;
  type: GuestTypeValue;
  /** Name of the node the guest is on. */
  node: string;
  /** Last known name (kept while PVE reports none, e.g. on an offline node). */
  name: string | null;
  /** `running`, `stopped`, QMP states, or `unknown` (an offline node's guest). */
  status: string;
  template: boolean;
  cpus: number | null;
  maxMem: number | null;
  maxDisk: number | null;
  tags: string[];
  lock: string | null;
  hastate: string | null;
  pool: string | null;
  description: string | null;
  /** QEMU guest agent enabled in the config; null when unknown or LXC. */
  agentEnabled: boolean | null;
  ipAddresses: IpAddressRecord[];
  cpuUsage: number | null;
  memUsed: number | null;
  diskUsed: number | null;
  netIn: number | null;
  netOut: number | null;
  diskRead: number | null;
  diskWrite: number | null;
  uptime: number | null;
  lastSyncTime: string;
}

/** StorageRecord is one storage as one node sees it. */
export interface StorageRecord {
  /** `pve_storage.id`. */
  id: number;
  clusterId: number;
  node: string;
  /** Storage id (`local`, `local-lvm`, `ceph-pool`). */
  name: string;
  /** Plugin type (`dir`, `lvmthin`, `zfspool`, `nfs`, `rbd`, `pbs`, …). */
  type: string;
  /** Content types, sorted (`images`, `rootdir`, `iso`, `backup`, …). */
  content: string[];
  status: string;
  active: boolean;
  enabled: boolean;
  shared: boolean;
  total: number | null;
  used: number | null;
  avail: number | null;
  usedFraction: number | null;
  lastSyncTime: string;
}

/** TemplateRecord is one guest converted to a template. */
export interface TemplateRecord {
  id: number;
  clusterId: number;
  vmid: number;
  name: string;
  node: string;
  type: GuestTypeValue;
  description: string | null;
}

type Row = Record<string, unknown>;

const num = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);
const str = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);
/** ISO-8601 as `toISOString()` writes it (UTC, milliseconds): such a string is kept as it is. */
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const iso = (value: unknown): string =>
  value instanceof Date
    ? value.toISOString()
    : typeof value === 'string' && ISO_UTC.test(value)
      ? value
      : new Date(String(value)).toISOString();

/** nodeFromRow maps a `pve_node` row. */
export function nodeFromRow(row: Row): NodeRecord {
  return {
    id: Number(row.id),
    clusterId: Number(row.cluster_id),
    name: String(row.node_name),
    status: String(row.status),
    ipAddress: str(row.ip_address),
    level: str(row.level),
    maxCpu: num(row.max_cpu),
    maxMem: num(row.max_mem),
    maxDisk: num(row.max_disk),
    cpuUsage: num(row.cpu_usage),
    memUsed: num(row.mem_used),
    diskUsed: num(row.disk_used),
    uptime: num(row.uptime),
    lastSyncTime: iso(row.last_sync_time),
  };
}

/** ipAddressFromRow maps a `vm_ipaddress` row. */
export function ipAddressFromRow(row: Row): IpAddressRecord {
  return {
    nicName: sharedStrings.intern(String(row.nic_name)),
    macAddress: str(row.mac_address),
    ipAddress: String(row.ip_address),
    ipVersion: Number(row.ip_version) === 6 ? 6 : 4,
    prefixLength: num(row.prefix_length),
    configNic: sharedStrings.intern(str(row.config_nic)),
  };
}

/** vmFromRow maps a `pve_vm` row, with its addresses when they were loaded. */
export function vmFromRow(row: Row, ipAddresses: IpAddressRecord[] = []): VmRecord {
  return {
    id: Number(row.id),
    clusterId: Number(row.cluster_id),
    vmid: Number(row.vmid),
    type: row.type === 'lxc' ? 'lxc' : 'qemu',
    node: String(row.node_name),
    name: str(row.vm_name),
    status: String(row.status),
    template: Number(row.is_template) === 1,
    cpus: num(row.cpu_num),
    maxMem: num(row.max_mem),
    maxDisk: num(row.max_disk),
    tags: Array.isArray(row.tags) ? row.tags.map(String) : [],
    lock: str(row.lock),
    hastate: str(row.hastate),
    pool: str(row.pool),
    description: str(row.description),
    agentEnabled:
      row.agent_enabled === null || row.agent_enabled === undefined
        ? null
        : Boolean(row.agent_enabled),
    ipAddresses,
    cpuUsage: num(row.cpu_usage),
    memUsed: num(row.mem_used),
    diskUsed: num(row.disk_used),
    netIn: num(row.net_in),
    netOut: num(row.net_out),
    diskRead: num(row.disk_read),
    diskWrite: num(row.disk_write),
    uptime: num(row.uptime),
    lastSyncTime: iso(row.last_sync_time),
  };
}

/** storageFromRow maps a `pve_storage` row. */
export function storageFromRow(row: Row): StorageRecord {
  const content = String(row.content ?? '');
  return {
    id: Number(row.id),
    clusterId: Number(row.cluster_id),
    node: String(row.node_name),
    name: String(row.storage_name),
    type: String(row.type),
    content: content === '' ? [] : content.split(','),
    status: String(row.status),
    active: Number(row.active) === 1,
    enabled: Number(row.enabled) === 1,
    shared: Number(row.shared) === 1,
    total: num(row.total),
    used: num(row.used),
    avail: num(row.avail),
    usedFraction: num(row.used_fraction),
    lastSyncTime: iso(row.last_sync_time),
  };
}

/** templateFromRow maps a `vm_template` row. */
export function templateFromRow(row: Row): TemplateRecord {
  return {
    id: Number(row.id),
    clusterId: Number(row.cluster_id),
    vmid: Number(row.vmid),
    name: String(row.template_name),
    node: String(row.node_name),
    type: row.type === 'lxc' ? 'lxc' : 'qemu',
    description: str(row.description),
  };
}
