import { SimulatorControlError } from '../control-error.js';
import type { ClusterState } from '../model/cluster-state.js';
import { createNode } from '../model/node-factory.js';
import { initLocalUsage } from '../model/storage-factory.js';
import type { SimNode } from '../model/types.js';
import type { Prng } from '../prng.js';

/** NodeInfo is a JSON-friendly view of a member. */
export interface NodeInfo {
  name: string;
  nodeid: number;
  ip: string;
  online: boolean;
  /** Clock time the node went offline. */
  offlineSince?: number;
  entry: boolean;
  maxcpu: number;
  maxmem: number;
  guests: number;
  fingerprint: string;
}

/** OfflineOptions shape how calls proxied to an offline node fail. */
export interface OfflineOptions {
  /** 595 (connect failure) or 596 (timeout). @default 595 */
  status?: number;
  /** Reason phrase. @default 'No route to host' (595), 'Connection timed out' (596) */
  reason?: string;
  /** Time before the failure is answered; default: the simulator's proxy delay. */
  delayMs?: number;
}

/** nodeInfo renders the NodeInfo view of `node`. */
export function nodeInfo(state: ClusterState, node: SimNode): NodeInfo {
  return {
    name: node.name,
    nodeid: node.nodeid,
    ip: node.ip,
    online: node.online,
    offlineSince: node.offlineSince,
    entry: node.name === state.entryNode,
    maxcpu: node.maxcpu,
    maxmem: node.maxmem,
    guests: state.guestsOn(node.name).length,
    fingerprint: node.fingerprint,
  };
}

/** requireNode returns the member or throws NOT_FOUND. */
export function requireNode(state: ClusterState, name: string): SimNode {
  const node = state.nodes.get(name);
  if (!node) throw new SimulatorControlError('NOT_FOUND', `no node '${name}'`);
  return node;
}

/**
 * addNode joins a new member (default name: the first free `pve<N>`), online, with its local
 * storages (those without a `nodes=` restriction) initialised.
 */
export function addNode(state: ClusterState, rng: Prng, spec: { name?: string } = {}): SimNode {
  if (spec.name !== undefined && !/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(spec.name)) {
    throw new SimulatorControlError('INVALID', `'${spec.name}' is not a valid node name`);
  }
  if (spec.name !== undefined && state.nodes.has(spec.name)) {
    throw new SimulatorControlError('CONFLICT', `node '${spec.name}' exists`);
  }
  const nodeid = Math.max(0, ...[...state.nodes.values()].map((node) => node.nodeid)) + 1;
  let name = spec.name;
  for (let i = nodeid; name === undefined; i++) {
    if (!state.nodes.has(`pve${i}`)) name = `pve${i}`;
  }
  const node = createNode(name, nodeid, rng, state.now());
  state.addNode(node);
  for (const storage of state.storages.values()) initLocalUsage(state, storage, name, rng);
  return node;
}

/**
 * removeNode removes a member (`pvecm delnode`). A node still holding guests is refused
 * (CONFLICT) unless `force`, which deletes its guests too; the entry node cannot be removed.
 */
export function removeNode(state: ClusterState, name: string, force = false): void {
  requireNode(state, name);
  if (name === state.entryNode) {
    throw new SimulatorControlError('CONFLICT', `'${name}' serves the API and cannot be removed`);
  }
  const guests = state.guestsOn(name);
  if (guests.length > 0 && !force) {
    throw new SimulatorControlError('CONFLICT', `node '${name}' still has ${guests.length} guests`);
  }
  for (const guest of guests) state.deleteGuest(guest.vmid);
  for (const storage of state.storages.values()) {
    storage.nodeUsage.delete(name);
    if (storage.nodes) storage.nodes = storage.nodes.filter((n) => n !== name);
  }
  state.deleteNode(name);
}

/**
 * setNodeOnline takes a member down (its RRD data then ages out after the staleness window;
 * proxied calls fail with 595/596) or brings it back. The entry node stays online.
 */
export function setNodeOnline(
  state: ClusterState,
  name: string,
  online: boolean,
  options: OfflineOptions = {},
): SimNode {
  const node = requireNode(state, name);
  if (!online && name === state.entryNode) {
    throw new SimulatorControlError('CONFLICT', `'${name}' serves the API and stays online`);
  }
  if (online) {
    node.online = true;
    node.offlineSince = undefined;
  } else {
    const status = options.status ?? 595;
    if (status !== 595 && status !== 596) {
      throw new SimulatorControlError('INVALID', 'offline status must be 595 or 596');
    }
    if (node.online) node.offlineSince = state.now();
    node.online = false;
    node.offlineStatus = status;
    node.offlineReason =
      options.reason ?? (status === 596 ? 'Connection timed out' : 'No route to host');
    node.offlineDelayMs = options.delayMs;
  }
  state.touch();
  return node;
}
