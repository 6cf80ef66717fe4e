import { SimulatorControlError } from '../control-error.js';
import type { ClusterState } from '../model/cluster-state.js';
import { createStorage, initLocalUsage, type StorageSpec } from '../model/storage-factory.js';
import type { SimStorage, StorageUsage } from '../model/types.js';
import type { Prng } from '../prng.js';

/** StorageInfo is a JSON-friendly view of a storage.cfg entry with each node's usage. */
export type StorageInfo = Pick<
  SimStorage,
  'id' | 'type' | 'content' | 'shared' | 'nodes' | 'disabled'
> & {
  /** Usage per node it is enabled on. */
  usage: Record<string, { total: number; used: number; active: boolean }>;
};

/** StoragePatch changes a storage; `node` limits usage/activity changes of a local storage. */
export interface StoragePatch {
  content?: string[];
  /** `nodes=` restriction; `null` lifts it. */
  nodes?: string[] | null;
  disabled?: boolean;
  /** Activation works (false: unreachable, e.g. NFS server down). */
  active?: boolean;
  usedBytes?: number;
  usedFraction?: number;
  totalBytes?: number;
  node?: string;
}

/** storageInfo renders the StorageInfo view of `storage`. */
export function storageInfo(state: ClusterState, storage: SimStorage): StorageInfo {
  const usage: StorageInfo['usage'] = {};
  for (const node of state.nodes.keys()) {
    if (!state.storageEnabledOn(storage, node)) continue;
    const { total, used, active } = state.usageOn(storage, node);
    usage[node] = { total, used, active };
  }
  return {
    id: storage.id,
    type: storage.type,
    content: [...storage.content],
    shared: storage.shared,
    nodes: storage.nodes ? [...storage.nodes] : undefined,
    disabled: storage.disabled,
    usage,
  };
}

/** addStorage adds a storage.cfg entry (CONFLICT if the id exists). */
export function addStorage(state: ClusterState, rng: Prng, spec: StorageSpec): SimStorage {
  if (!/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(spec.id)) {
    throw new SimulatorControlError(
      'INVALID',
      `storage ID '${spec.id}' contains illegal characters`,
    );
  }
  if (state.storages.has(spec.id)) {
    throw new SimulatorControlError('CONFLICT', `storage ID '${spec.id}' already defined`);
  }
  for (const node of spec.nodes ?? []) requireMember(state, node);
  const storage = createStorage(state, rng, spec);
  state.storages.set(storage.id, storage);
  state.touch();
  return storage;
}

/** removeStorage deletes a storage.cfg entry. */
export function removeStorage(state: ClusterState, id: string): void {
  requireStorage(state, id);
  state.storages.delete(id);
  state.touch();
}

/** updateStorage applies `patch` (content, restriction, enablement, activity, usage). */
export function updateStorage(
  state: ClusterState,
  rng: Prng,
  id: string,
  patch: StoragePatch,
): SimStorage {
  const storage = requireStorage(state, id);
  if (patch.node !== undefined) requireMember(state, patch.node);
  if (patch.content !== undefined) storage.content = [...patch.content];
  if (patch.disabled !== undefined) storage.disabled = patch.disabled;
  if (patch.nodes !== undefined) {
    for (const node of patch.nodes ?? []) requireMember(state, node);
    storage.nodes = patch.nodes ?? undefined;
    for (const node of state.nodes.keys()) {
      if (!storage.nodeUsage.has(node)) initLocalUsage(state, storage, node, rng);
    }
  }
  for (const usage of usagesToChange(state, storage, patch.node)) {
    if (patch.totalBytes !== undefined) usage.total = Math.max(0, patch.totalBytes);
    if (patch.usedBytes !== undefined) usage.used = clampUsed(patch.usedBytes, usage.total);
    if (patch.usedFraction !== undefined)
      usage.used = clampUsed(patch.usedFraction * usage.total, usage.total);
    if (patch.active !== undefined && patch.active !== usage.active) {
      usage.active = patch.active;
      usage.inactiveSince = patch.active ? undefined : state.now();
    }
  }
  state.touch();
  return storage;
}

function usagesToChange(
  state: ClusterState,
  storage: SimStorage,
  node: string | undefined,
): StorageUsage[] {
  if (storage.sharedUsage) return [storage.sharedUsage];
  if (node !== undefined) return [state.usageOn(storage, node)];
  return [...storage.nodeUsage.values()];
}

function clampUsed(used: number, total: number): number {
  return Math.round(Math.min(Math.max(0, used), total));
}

function requireStorage(state: ClusterState, id: string): SimStorage {
  const storage = state.storages.get(id);
  if (!storage) throw new SimulatorControlError('NOT_FOUND', `no storage '${id}'`);
  return storage;
}

function requireMember(state: ClusterState, node: string): void {
  if (!state.nodes.has(node)) throw new SimulatorControlError('NOT_FOUND', `no node '${node}'`);
}
