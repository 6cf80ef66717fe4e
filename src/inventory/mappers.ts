import type { IpAddressRecord } from '../db/inventory-records.js';
import { sharedStrings } from '../lib/string-pool.js';
import { matchInterfacesToNets, normalizeMac } from '../proxmox/agent-ips.js';
import type { PveGuest } from '../proxmox/normalize/guest.js';
import type { PveInterface } from '../proxmox/normalize/guest-interfaces.js';
import type { PveNode } from '../proxmox/normalize/node.js';
import type { PveStorage } from '../proxmox/normalize/storage.js';
import { NO_IP_ADDRESSES, type PackedIpAddresses } from './packed-ip-addresses.js';
import {
  type GuestState,
  type GuestUsage,
  guestKey,
  guestStateFor,
  type NodeState,
  type NodeUsage,
  nodeKey,
  nodeStateFor,
  type StorageState,
  type StorageUsage,
  sameFields,
  sortIpAddresses,
  storageKey,
  storageStateFor,
} from './state.js';

/**
 * GuestDetails are the guest fields that come from per-guest calls (config, guest agent / LXC
 * interfaces) rather than from the list: kept per guest between polls and merged into every
 * listed state.
 */
export interface GuestDetails {
  description: string | null;
  agentEnabled: boolean | null;
  ipAddresses: PackedIpAddresses;
}

/**
 * nodeStateFromPve maps a listed node. PVE drops `level` and `max*` of a node that has been
 * offline for a while: the last known values are kept.
 */
export function nodeStateFromPve(
  node: PveNode,
  ipAddress: string | null | undefined,
  known: NodeState | undefined,
): NodeState {
  return nodeStateFor(
    {
      key: nodeKey(node.name),
      name: node.name,
      status: node.status,
      ipAddress: ipAddress === undefined ? (known?.ipAddress ?? null) : ipAddress,
      level: node.level ?? known?.level ?? null,
      maxCpu: node.maxcpu ?? known?.maxCpu ?? null,
      maxMem: node.maxmem ?? known?.maxMem ?? null,
      maxDisk: node.maxdisk ?? known?.maxDisk ?? null,
    },
    known,
  );
}

/** nodeUsageFromPve is a node's metrics (null when PVE sent none: offline). */
export function nodeUsageFromPve(node: PveNode): NodeUsage {
  const u = node.usage;
  return {
    cpuUsage: u?.cpu ?? null,
    memUsed: u?.mem ?? null,
    diskUsed: u?.disk ?? null,
    uptime: u?.uptime ?? null,
  };
}

/**
 * guestStateFromPve maps a listed guest, merged with what is known of it: a guest of an offline
 * node loses `name`, `template` and `max*` in PVE's answer after five minutes (status
 * `unknown`), and keeps its last known values here. Details (description, agent flag, IPs) come
 * from per-guest calls; a stopped guest has no IP addresses.
 */
export function guestStateFromPve(
  guest: PveGuest,
  details: GuestDetails | undefined,
  known: GuestState | undefined,
): GuestState {
  return guestStateFor(
    {
      key: guestKey(guest.type, guest.vmid),
      vmid: guest.vmid,
      type: guest.type,
      node: guest.node,
      name: guest.name ?? known?.name ?? null,
      status: guest.status,
      template: guest.template ?? known?.template ?? false,
      cpus: guest.maxcpu ?? known?.cpus ?? null,
      maxMem: guest.maxmem ?? known?.maxMem ?? null,
      maxDisk: guest.maxdisk ?? known?.maxDisk ?? null,
      tags: guest.tags,
      lock: guest.lock ?? null,
      hastate: guest.hastate ?? null,
      pool: guest.pool ?? null,
      ...detailFields(guest.status, details, known),
    },
    known,
  );
}

/**
 * guestStateWithDetails is a known guest with its current details merged in (the same rules as
 * guestStateFromPve): the known state itself when they change nothing. A cycle that only writes
 * new details maps the known states with it, without a listing.
 */
export function guestStateWithDetails(
  known: GuestState,
  details: GuestDetails | undefined,
): GuestState {
  const fields = detailFields(known.status, details, known);
  // Checked first, so that the common case (nothing new) copies no state.
  if (sameFields<GuestDetails>(known, fields, DETAIL_FIELDS)) return known;
  return guestStateFor({ ...known, ...fields }, known);
}

/** DETAIL_FIELDS are the fields of GuestDetails. */
const DETAIL_FIELDS = [
  'description',
  'agentEnabled',
  'ipAddresses',
] as const satisfies readonly (keyof GuestDetails)[];

/** detailFields are a guest's detail fields: fetched details first, then what is known. */
function detailFields(
  status: string,
  details: GuestDetails | undefined,
  known: GuestState | undefined,
): GuestDetails {
  return {
    description: details?.description ?? known?.description ?? null,
    agentEnabled: details?.agentEnabled ?? known?.agentEnabled ?? null,
    ipAddresses:
      status === 'stopped'
        ? NO_IP_ADDRESSES
        : (details?.ipAddresses ?? known?.ipAddresses ?? NO_IP_ADDRESSES),
  };
}

/** guestUsageFromPve is a guest's metrics (null when PVE sent none). */
export function guestUsageFromPve(guest: Pick<PveGuest, 'usage'>): GuestUsage {
  const u = guest.usage;
  return {
    cpuUsage: u?.cpu ?? null,
    memUsed: u?.mem ?? null,
    diskUsed: u?.disk ?? null,
    netIn: u?.netin ?? null,
    netOut: u?.netout ?? null,
    diskRead: u?.diskread ?? null,
    diskWrite: u?.diskwrite ?? null,
    uptime: u?.uptime ?? null,
  };
}

/** storageStateFromPve maps one storage row (one node's view of one storage); `known` as above. */
export function storageStateFromPve(storage: PveStorage, known?: StorageState): StorageState {
  return storageStateFor(
    {
      key: storageKey(storage.node, storage.storage),
      node: storage.node,
      name: storage.storage,
      type: storage.type,
      content: storage.content,
      status: storage.status,
      active: storage.active,
      enabled: storage.enabled,
      shared: storage.shared,
    },
    known,
  );
}

/**
 * storageUsageFromPve is a storage's metrics; `/cluster/resources` has no `avail`, which is then
 * `total - used`.
 */
export function storageUsageFromPve(storage: PveStorage): StorageUsage {
  const total = storage.total ?? null;
  const used = storage.used ?? null;
  const avail =
    storage.avail ?? (total !== null && used !== null ? Math.max(0, total - used) : null);
  return {
    total,
    used,
    avail,
    usedFraction: total !== null && used !== null && total > 0 ? used / total : null,
  };
}

/** A configured NIC of a guest: its config id (`net0`) and MAC. */
export interface ConfigNic {
  id: string;
  mac?: string;
}

/**
 * ipAddressesFromInterfaces turns the interfaces a guest reports into address records, each
 * matched to the config NIC with the same MAC when there is one. MACs are stored upper-case, as
 * PVE writes them in configs.
 */
export function ipAddressesFromInterfaces(
  interfaces: readonly PveInterface[],
  nics: readonly ConfigNic[],
): IpAddressRecord[] {
  const matched = matchInterfacesToNets(interfaces, nics);
  const records: IpAddressRecord[] = [];
  for (const iface of matched) {
    const mac = iface.mac ? (normalizeMac(iface.mac) ?? iface.mac).toUpperCase() : null;
    for (const address of iface.addresses) {
      records.push({
        nicName: sharedStrings.intern(iface.name),
        macAddress: mac,
        ipAddress: address.address,
        ipVersion: address.family === 'ipv6' ? 6 : 4,
        prefixLength: address.prefix,
        configNic: sharedStrings.intern(iface.netId ?? null),
      });
    }
  }
  return sortIpAddresses(records);
}
