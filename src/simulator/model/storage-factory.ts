import type { Prng } from '../prng.js';
import type { ClusterState } from './cluster-state.js';
import type { SimStorage } from './types.js';

const GIB = 1024 ** 3;
const TIB = 1024 ** 4;

/** Storage types PVE always treats as shared (S-STOR `Plugin.pm` @SHARED_STORAGE). */
const SHARED_TYPES = new Set([
  'iscsi',
  'nfs',
  'cifs',
  'rbd',
  'cephfs',
  'iscsidirect',
  'zfs',
  'drbd',
  'pbs',
]);

/** StorageSpec describes a storage.cfg entry to create; omitted fields get per-type defaults. */
export interface StorageSpec {
  id: string;
  type: string;
  content?: string[];
  /** Declared shared; defaults to true for the inherently shared types. */
  shared?: boolean;
  nodes?: string[];
  disabled?: boolean;
  /** Capacity in bytes (per node for local storages). */
  total?: number;
  /** Used fraction 0–1 at creation (random when omitted). */
  usedFraction?: number;
  settings?: Record<string, string | number>;
}

/**
 * createStorage builds a storage with usage for every node it is enabled on (one shared usage
 * for shared storages), drawing sizes from `rng` where the spec leaves them open.
 */
export function createStorage(state: ClusterState, rng: Prng, spec: StorageSpec): SimStorage {
  const shared = spec.shared ?? SHARED_TYPES.has(spec.type);
  const storage: SimStorage = {
    id: spec.id,
    type: spec.type,
    content: spec.content ?? defaultContent(spec.type),
    shared,
    nodes: spec.nodes,
    disabled: spec.disabled ?? false,
    settings: spec.settings ?? defaultSettings(spec.id, spec.type),
    nodeUsage: new Map(),
  };
  if (shared) {
    const total = spec.total ?? defaultTotal(spec.type, rng);
    const used = Math.round(total * (spec.usedFraction ?? rng.float(0.1, 0.7)));
    storage.sharedUsage = { total, used, active: !storage.disabled };
  } else {
    for (const node of state.nodes.keys()) initLocalUsage(state, storage, node, rng, spec);
  }
  return storage;
}

/** initLocalUsage gives a local storage its usage on `node` (a new member, or at creation). */
export function initLocalUsage(
  state: ClusterState,
  storage: SimStorage,
  node: string,
  rng: Prng,
  spec: Pick<StorageSpec, 'total' | 'usedFraction'> = {},
): void {
  if (storage.shared || !state.storageEnabledOn(storage, node)) return;
  const rootfs = state.nodes.get(node)?.rootfsTotal ?? 100 * GIB;
  const total = spec.total ?? (storage.type === 'dir' ? rootfs : defaultTotal(storage.type, rng));
  const used = Math.round(total * (spec.usedFraction ?? rng.float(0.05, 0.75)));
  storage.nodeUsage.set(node, { total, used, active: true });
}

function defaultContent(type: string): string[] {
  switch (type) {
    case 'dir':
      return ['iso', 'vztmpl', 'backup'];
    case 'lvmthin':
    case 'zfspool':
    case 'rbd':
    case 'lvm':
      return ['images', 'rootdir'];
    case 'pbs':
      return ['backup'];
    case 'nfs':
    case 'cifs':
    case 'cephfs':
      return ['iso', 'vztmpl', 'backup'];
    default:
      return ['images'];
  }
}

function defaultTotal(type: string, rng: Prng): number {
  switch (type) {
    case 'rbd':
    case 'cephfs':
      // Petabyte-scale: PVE 9 prints such totals in exponent form (API.md §1.2).
      return 3_477_266_734_514_176 + rng.int(0, 1_000_000) * 4096;
    case 'pbs':
      return 2_717_858_136_064 + rng.int(0, 100_000) * 4096;
    case 'nfs':
    case 'cifs':
      return rng.pick([8, 16, 32]) * TIB;
    default:
      return Math.round(rng.pick([0.8, 1.7, 3.5]) * TIB);
  }
}

function defaultSettings(id: string, type: string): Record<string, string | number> {
  switch (type) {
    case 'dir':
      return { path: id === 'local' ? '/var/lib/vz' : `/mnt/${id}` };
    case 'lvmthin':
      return { vgname: 'pve', thinpool: 'data' };
    case 'lvm':
      return { vgname: id };
    case 'zfspool':
      return { pool: 'rpool/data', sparse: 1 };
    case 'nfs':
      return { server: '10.0.10.20', export: `/export/${id}`, path: `/mnt/pve/${id}` };
    case 'rbd':
      return { pool: 'vm', krbd: 0, monhost: '10.0.10.31 10.0.10.32 10.0.10.33' };
    case 'pbs':
      return { server: '10.0.10.40', datastore: 'store1', username: 'backup@pbs' };
    default:
      return {};
  }
}
