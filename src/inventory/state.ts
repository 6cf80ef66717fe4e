import { hash } from 'node:crypto';
import type { GuestTypeValue, IpAddressRecord } from '../db/inventory-records.js';
import { sharedStrings } from '../lib/string-pool.js';
import { ipAddressesJson, type PackedIpAddresses } from './packed-ip-addresses.js';
import { stableJson } from './stable-json.js';

/**
 * The inventory state of one object as the informers hold it: exactly the inventory fields that
 * are persisted and decide events (DESIGN §4), plus its PVE-style `key` and the content `hash`
 * of those fields (its resourceVersion, stored as `resource_hash`). Usage metrics are not part of
 * it: they change every poll and are flushed separately, never causing an event.
 */

/** NodeState is a node's inventory state; key `node/<name>`. */
export interface NodeState {
  key: string;
  hash: string;
  name: string;
  status: string;
  ipAddress: string | null;
  level: string | null;
  maxCpu: number | null;
  maxMem: number | null;
  maxDisk: number | null;
}

/** GuestState is a guest's inventory state; key `qemu/<vmid>` or `lxc/<vmid>`. */
export interface GuestState {
  key: string;
  hash: string;
  vmid: number;
  type: GuestTypeValue;
  node: string;
  name: string | null;
  status: string;
  template: boolean;
  cpus: number | null;
  maxMem: number | null;
  maxDisk: number | null;
  tags: readonly string[];
  lock: string | null;
  hastate: string | null;
  pool: string | null;
  description: string | null;
  agentEnabled: boolean | null;
  /** Sorted by NIC name, then address; packed (see PackedIpAddresses). */
  ipAddresses: PackedIpAddresses;
}

/** StorageState is one storage on one node; key `storage/<node>/<storage>`. */
export interface StorageState {
  key: string;
  hash: string;
  node: string;
  name: string;
  type: string;
  content: string[];
  status: string;
  active: boolean;
  enabled: boolean;
  shared: boolean;
}

/** NodeUsage, GuestUsage and StorageUsage are the metrics kept current in memory. */
export interface NodeUsage {
  cpuUsage: number | null;
  memUsed: number | null;
  diskUsed: number | null;
  uptime: number | null;
}
export interface GuestUsage {
  cpuUsage: number | null;
  memUsed: number | null;
  diskUsed: number | null;
  netIn: number | null;
  netOut: number | null;
  diskRead: number | null;
  diskWrite: number | null;
  uptime: number | null;
}
export interface StorageUsage {
  total: number | null;
  used: number | null;
  avail: number | null;
  usedFraction: number | null;
}

/** The inventory fields of each kind, in a fixed order: they make the hash and `changedFields`. */
export const NODE_FIELDS = [
  'name',
  'status',
  'ipAddress',
  'level',
  'maxCpu',
  'maxMem',
  'maxDisk',
] as const;
export const GUEST_FIELDS = [
  'vmid',
  'type',
  'node',
  'name',
  'status',
  'template',
  'cpus',
  'maxMem',
  'maxDisk',
  'tags',
  'lock',
  'hastate',
  'pool',
  'description',
  'agentEnabled',
  'ipAddresses',
] as const;
export const STORAGE_FIELDS = [
  'node',
  'name',
  'type',
  'content',
  'status',
  'active',
  'enabled',
  'shared',
] as const;

type Fields<S> = readonly (keyof S)[];

/** nodeKey, guestKey and storageKey build the PVE-style keys (DESIGN §3). */
export const nodeKey = (name: string): string => `node/${name}`;
export const guestKey = (type: GuestTypeValue, vmid: number): string => `${type}/${vmid}`;
export const storageKey = (node: string, storage: string): string => `storage/${node}/${storage}`;

/**
 * hashFields is the content hash (MD5, as the original project used) of the given fields: of
 * their stableJson, or of what `json` makes of the fields it names.
 */
export function hashFields<S>(
  state: S,
  fields: Fields<S>,
  json: { [K in keyof S]?: (value: S[K]) => string } = {},
): string {
  let text = '[';
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const value = state[field];
    const custom = json[field];
    text += (i === 0 ? '' : ',') + (custom ? custom(value) : stableJson(value ?? null));
  }
  // One-shot hash: no Hash object per state.
  return hash('md5', `${text}]`, 'hex');
}

/**
 * withHash completes a state with its hash. Each builds its state as one literal with the fields
 * in the order of the *StateOf functions: every state of a kind then shares one hidden class
 * (`{...state, hash}` gave each object its own, about 0.5 KiB per cached guest).
 */
export function nodeWithHash(state: Omit<NodeState, 'hash'> & { hash?: string }): NodeState {
  return nodeStateOf(state, hashFields(state, NODE_FIELDS), state.key);
}
export function guestWithHash(state: Omit<GuestState, 'hash'> & { hash?: string }): GuestState {
  return guestStateOf(state, hashFields(state, GUEST_FIELDS, GUEST_JSON), state.key);
}

/** A guest's addresses are hashed as the records they pack (the hashes stored stay valid). */
const GUEST_JSON = { ipAddresses: ipAddressesJson };
export function storageWithHash(
  state: Omit<StorageState, 'hash'> & { hash?: string },
): StorageState {
  return storageStateOf(state, hashFields(state, STORAGE_FIELDS), state.key);
}

/**
 * nodeStateFor, guestStateFor and storageStateFor complete a freshly mapped state, or return
 * `known` itself when nothing of its inventory differs: an unchanged object (nearly every object
 * of a poll) costs no hash and no new state, and stays the one copy every cache shares.
 */
export function nodeStateFor(state: Omit<NodeState, 'hash'>, known?: NodeState): NodeState {
  return known && sameFields<Omit<NodeState, 'hash'>>(known, state, NODE_FIELDS)
    ? known
    : nodeWithHash(state);
}
export function guestStateFor(state: Omit<GuestState, 'hash'>, known?: GuestState): GuestState {
  return known && sameFields<Omit<GuestState, 'hash'>>(known, state, GUEST_FIELDS)
    ? known
    : guestWithHash(state);
}
export function storageStateFor(
  state: Omit<StorageState, 'hash'>,
  known?: StorageState,
): StorageState {
  return known && sameFields<Omit<StorageState, 'hash'>>(known, state, STORAGE_FIELDS)
    ? known
    : storageWithHash(state);
}

/**
 * sameValue tells whether two inventory values are equal as their stableJson would be: primitives
 * by identity (`undefined` as `null`), arrays element by element, plain objects key by key in any
 * order. It allocates nothing, so a poll can compare every listed object with what it knew.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null) return b === undefined || b === null;
  if (typeof a !== 'object' || typeof b !== 'object' || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const key in x) {
    if (x[key] === undefined) continue;
    keys++;
    if (!sameValue(x[key], y[key])) return false;
  }
  for (const key in y) if (y[key] !== undefined) keys--;
  return keys === 0;
}

/** sameFields tells whether two versions of one object agree on every given field. */
export function sameFields<S>(a: S, b: S, fields: Fields<S>): boolean {
  for (const field of fields) if (!sameValue(a[field], b[field])) return false;
  return true;
}

/**
 * changedFields lists the inventory fields that differ between two versions of one object (two
 * states, or two records: records carry the same inventory fields under the same names).
 */
export function changedFields(before: object, after: object, fields: readonly string[]): string[] {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  return fields.filter((field) => !sameValue(a[field], b[field]));
}

/** sortIpAddresses orders addresses canonically (NIC name, then address). */
export function sortIpAddresses(addresses: IpAddressRecord[]): IpAddressRecord[] {
  return [...addresses].sort(
    (a, b) => a.nicName.localeCompare(b.nicName) || a.ipAddress.localeCompare(b.ipAddress),
  );
}

/**
 * nodeStateOf, guestStateOf and storageStateOf build a state from a record (seeding from the
 * database) or from a state's fields; `key` when already known.
 */
export function nodeStateOf(
  record: Omit<NodeState, 'key' | 'hash'>,
  hash: string,
  key = nodeKey(record.name),
): NodeState {
  return {
    key,
    hash,
    name: record.name,
    status: record.status,
    ipAddress: record.ipAddress,
    level: record.level,
    maxCpu: record.maxCpu,
    maxMem: record.maxMem,
    maxDisk: record.maxDisk,
  };
}

export function guestStateOf(
  record: Omit<GuestState, 'key' | 'hash'>,
  hash: string,
  key = guestKey(record.type, record.vmid),
): GuestState {
  return {
    key,
    hash,
    vmid: record.vmid,
    type: record.type,
    node: sharedStrings.intern(record.node),
    name: record.name,
    status: sharedStrings.intern(record.status),
    template: record.template,
    cpus: record.cpus,
    maxMem: record.maxMem,
    maxDisk: record.maxDisk,
    tags: sharedStrings.internList(record.tags),
    lock: sharedStrings.intern(record.lock),
    hastate: sharedStrings.intern(record.hastate),
    pool: sharedStrings.intern(record.pool),
    description: record.description,
    agentEnabled: record.agentEnabled,
    ipAddresses: record.ipAddresses,
  };
}

export function storageStateOf(
  record: Omit<StorageState, 'key' | 'hash'>,
  hash: string,
  key = storageKey(record.node, record.name),
): StorageState {
  return {
    key,
    hash,
    node: record.node,
    name: record.name,
    type: record.type,
    content: record.content,
    status: record.status,
    active: record.active,
    enabled: record.enabled,
    shared: record.shared,
  };
}

/** nodeUsageOf, guestUsageOf and storageUsageOf pick the usage metrics out of a record. */
export function nodeUsageOf(r: NodeUsage): NodeUsage {
  return { cpuUsage: r.cpuUsage, memUsed: r.memUsed, diskUsed: r.diskUsed, uptime: r.uptime };
}

export function guestUsageOf(r: GuestUsage): GuestUsage {
  return {
    cpuUsage: r.cpuUsage,
    memUsed: r.memUsed,
    diskUsed: r.diskUsed,
    netIn: r.netIn,
    netOut: r.netOut,
    diskRead: r.diskRead,
    diskWrite: r.diskWrite,
    uptime: r.uptime,
  };
}

export function storageUsageOf(r: StorageUsage): StorageUsage {
  return { total: r.total, used: r.used, avail: r.avail, usedFraction: r.usedFraction };
}
