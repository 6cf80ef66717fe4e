import type {
  GuestState,
  GuestUsage,
  NodeState,
  NodeUsage,
  StorageState,
  StorageUsage,
} from '../state.js';
import type { UsageSnapshot } from '../usage-store.js';

/**
 * CycleChanges are the changes one poll cycle found, per kind: key → new state, or null for a
 * deletion. Usage lookups give the current metrics of the upserted objects, written with them.
 */
export interface CycleChanges {
  nodes: ReadonlyMap<string, NodeState | null>;
  guests: ReadonlyMap<string, GuestState | null>;
  storages: ReadonlyMap<string, StorageState | null>;
  nodeUsage(key: string): NodeUsage | undefined;
  guestUsage(key: string): GuestUsage | undefined;
  storageUsage(key: string): StorageUsage | undefined;
}

/** MetricsBatch is the usage to write for objects whose metrics changed since the last flush. */
export interface MetricsBatch {
  /** Metas: node names. */
  nodes: UsageSnapshot<NodeUsage, string>;
  /** Metas: VMIDs. */
  guests: UsageSnapshot<GuestUsage, number>;
  storages: UsageSnapshot<StorageUsage, { node: string; name: string }>;
}

/** Guests per upsert statement. */
export const GUEST_CHUNK = 2000;

/** ProgressListener hears how far a large write has got (rows written of the total). */
export type ProgressListener = (kind: 'vm', written: number, total: number) => void;

export const EMPTY_NODE_USAGE: NodeUsage = {
  cpuUsage: null,
  memUsed: null,
  diskUsed: null,
  uptime: null,
};
export const EMPTY_GUEST_USAGE: GuestUsage = {
  cpuUsage: null,
  memUsed: null,
  diskUsed: null,
  netIn: null,
  netOut: null,
  diskRead: null,
  diskWrite: null,
  uptime: null,
};
export const EMPTY_STORAGE_USAGE: StorageUsage = {
  total: null,
  used: null,
  avail: null,
  usedFraction: null,
};

/** int stores byte counts whole: they can arrive as floats (exponent notation in PVE). */
export function int(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}
