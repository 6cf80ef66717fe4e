import { SimulatorControlError } from '../control-error.js';
import type { ClusterState } from '../model/cluster-state.js';
import {
  createGuest,
  emptyStats,
  type GuestSpec,
  nextFreeVmid,
  startStats,
} from '../model/guest-factory.js';
import type { HaState, SimGuest, SimNic } from '../model/types.js';
import type { Prng } from '../prng.js';

/** GuestInfo is a JSON-friendly view of a simulated guest for tests and the admin surface. */
export interface GuestInfo {
  vmid: number;
  type: SimGuest['type'];
  node: string;
  name?: string;
  status: 'running' | 'stopped';
  template: boolean;
  tags?: string;
  lock?: string;
  pool?: string;
  ha?: string;
  cores: number;
  sockets: number;
  memoryMiB: number;
  agent?: string;
  agentRunning: boolean;
  nics: { index: number; mac: string; ifname: string; ipv4?: string; ipv6?: string }[];
}

/** GuestPatch lists editable guest fields; `null` removes an optional field. */
export interface GuestPatch {
  name?: string | null;
  tags?: string | string[] | null;
  description?: string | null;
  cores?: number;
  sockets?: number;
  memoryMiB?: number;
  pool?: string | null;
  ha?: HaState['state'] | null;
  lock?: string | null;
  /** QMP state of a running VM (`running`, `paused`, `prelaunch`). */
  qmpStatus?: string;
}

/** AddressPatch changes the addresses a guest NIC reports (`null` removes one). */
export interface AddressPatch {
  /** `a.b.c.d/prefix` */
  ipv4?: string | null;
  /** `addr/prefix` */
  ipv6?: string | null;
  /** The interface is up without addresses (agent omits `ip-addresses`). */
  noAddress?: boolean;
}

/** guestInfo renders the GuestInfo view of `guest`. */
export function guestInfo(guest: SimGuest): GuestInfo {
  return {
    vmid: guest.vmid,
    type: guest.type,
    node: guest.node,
    name: guest.name,
    status: guest.running ? 'running' : 'stopped',
    template: guest.template,
    tags: guest.tags,
    lock: guest.lock,
    pool: guest.pool,
    ha: guest.ha ? (guest.ha.serviceState ?? guest.ha.state) : undefined,
    cores: guest.cores,
    sockets: guest.sockets,
    memoryMiB: guest.memoryMiB,
    agent: guest.agent,
    agentRunning: guest.agentRunning,
    nics: guest.nics.map((nic) => ({
      index: nic.index,
      mac: nic.mac,
      ifname: nic.ifname,
      ipv4: nic.ipv4 ? `${nic.ipv4.address}/${nic.ipv4.prefix}` : undefined,
      ipv6: nic.ipv6 ? `${nic.ipv6.address}/${nic.ipv6.prefix}` : undefined,
    })),
  };
}

/** requireGuest returns the guest or throws NOT_FOUND. */
export function requireGuest(state: ClusterState, vmid: number): SimGuest {
  const guest = state.guests.get(vmid);
  if (!guest) throw new SimulatorControlError('NOT_FOUND', `no guest ${vmid}`);
  return guest;
}

/**
 * addGuest creates a guest from `spec` (random where unspecified) on `spec.node` (default: a
 * random online node) with `spec.vmid` (default: the next free one). Throws CONFLICT for a taken
 * vmid, NOT_FOUND for an unknown node or pool.
 */
export function addGuest(state: ClusterState, rng: Prng, spec: GuestSpec = {}): SimGuest {
  if (spec.vmid !== undefined && state.guests.has(spec.vmid)) {
    throw new SimulatorControlError('CONFLICT', `VM ${spec.vmid} already exists`);
  }
  if (spec.vmid !== undefined && (!Number.isInteger(spec.vmid) || spec.vmid < 100)) {
    throw new SimulatorControlError('INVALID', 'vmid must be an integer ≥ 100');
  }
  if (spec.node !== undefined && !state.nodes.has(spec.node)) {
    throw new SimulatorControlError('NOT_FOUND', `no node '${spec.node}'`);
  }
  if (spec.pool !== undefined && !state.pools.has(spec.pool)) {
    throw new SimulatorControlError('NOT_FOUND', `no pool '${spec.pool}'`);
  }
  const online = [...state.nodes.values()].filter((node) => node.online).map((node) => node.name);
  const node = spec.node ?? rng.pick(online.length > 0 ? online : [...state.nodes.keys()]);
  const vmid = spec.vmid ?? nextFreeVmid(state);
  const guest = createGuest(state, rng, { ...spec, vmid, node });
  state.addGuest(guest);
  return guest;
}

/** updateGuest applies `patch` to a guest's config; returns the guest. */
export function updateGuest(state: ClusterState, vmid: number, patch: GuestPatch): SimGuest {
  const guest = requireGuest(state, vmid);
  if (patch.pool !== undefined && patch.pool !== null && !state.pools.has(patch.pool)) {
    throw new SimulatorControlError('NOT_FOUND', `no pool '${patch.pool}'`);
  }
  for (const key of ['cores', 'sockets', 'memoryMiB'] as const) {
    const value = patch[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) {
      throw new SimulatorControlError('INVALID', `${key} must be a positive integer`);
    }
    guest[key] = value;
  }
  if (patch.name !== undefined) guest.name = patch.name ?? undefined;
  if (patch.description !== undefined) guest.description = patch.description ?? undefined;
  if (patch.tags !== undefined) {
    const tags = Array.isArray(patch.tags) ? patch.tags.join(';') : patch.tags;
    guest.tags = tags === null || tags === '' ? undefined : tags;
  }
  if (patch.pool !== undefined) guest.pool = patch.pool ?? undefined;
  if (patch.ha !== undefined) guest.ha = patch.ha === null ? undefined : { state: patch.ha };
  if (patch.lock !== undefined) guest.lock = patch.lock ?? undefined;
  if (patch.qmpStatus !== undefined && guest.running && guest.type === 'qemu') {
    guest.qmpStatus = patch.qmpStatus;
  }
  state.touchGuest(guest);
  return guest;
}

/** removeGuest destroys a guest. */
export function removeGuest(state: ClusterState, vmid: number): void {
  requireGuest(state, vmid);
  state.deleteGuest(vmid);
}

/** setRunning starts or stops a guest (templates cannot run: CONFLICT). */
export function setRunning(
  state: ClusterState,
  rng: Prng,
  vmid: number,
  running: boolean,
): SimGuest {
  const guest = requireGuest(state, vmid);
  if (running && guest.template) {
    throw new SimulatorControlError('CONFLICT', `guest ${vmid} is a template and cannot start`);
  }
  if (guest.running === running) return guest;
  guest.running = running;
  if (running) {
    startStats(guest, rng, state.now(), state.now());
    guest.qmpStatus = guest.type === 'qemu' ? 'running' : undefined;
  } else {
    guest.stats = emptyStats();
    guest.qmpStatus = undefined;
  }
  if (guest.ha && (guest.ha.state === 'started' || guest.ha.state === 'stopped')) {
    guest.ha.state = running ? 'started' : 'stopped';
  }
  state.touchGuest(guest);
  return guest;
}

/**
 * convertToTemplate turns a stopped guest into a template (disks renamed `base-<vmid>-disk-N`,
 * like `qm template`); CONFLICT while it runs.
 */
export function convertToTemplate(state: ClusterState, vmid: number): SimGuest {
  const guest = requireGuest(state, vmid);
  if (guest.running) throw new SimulatorControlError('CONFLICT', `guest ${vmid} is running`);
  guest.template = true;
  for (const disk of guest.disks) disk.volume = disk.volume.replace(/^(vm|subvol)-/, 'base-');
  guest.ha = undefined;
  state.touchGuest(guest);
  return guest;
}

/**
 * setAgent changes a VM's guest agent: `configured` is the `agent` config value (`null` removes
 * the key), `running` whether the agent answers.
 */
export function setAgent(
  state: ClusterState,
  vmid: number,
  change: { configured?: string | null; running?: boolean },
): SimGuest {
  const guest = requireGuest(state, vmid);
  if (guest.type !== 'qemu')
    throw new SimulatorControlError('INVALID', `guest ${vmid} is a container`);
  if (change.configured !== undefined) guest.agent = change.configured ?? undefined;
  if (change.running !== undefined) guest.agentRunning = change.running;
  state.touchGuest(guest);
  return guest;
}

/** setAddresses changes what NIC `index` of a guest reports as its addresses. */
export function setAddresses(
  state: ClusterState,
  vmid: number,
  index: number,
  patch: AddressPatch,
): SimGuest {
  const guest = requireGuest(state, vmid);
  const nic = guest.nics.find((n) => n.index === index);
  if (!nic) throw new SimulatorControlError('NOT_FOUND', `guest ${vmid} has no net${index}`);
  if (patch.ipv4 !== undefined) nic.ipv4 = parseCidr(patch.ipv4, 'ipv4');
  if (patch.ipv6 !== undefined) nic.ipv6 = parseCidr(patch.ipv6, 'ipv6');
  if (patch.noAddress !== undefined) nic.noAddress = patch.noAddress;
  state.touchGuest(guest);
  return guest;
}

function parseCidr(text: string | null, family: 'ipv4' | 'ipv6'): SimNic['ipv4'] {
  if (text === null) return undefined;
  const match = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(text);
  const isV4 = match ? match[1]?.includes('.') === true && !match[1]?.includes(':') : false;
  if (!match || isV4 !== (family === 'ipv4')) {
    throw new SimulatorControlError('INVALID', `'${text}' is not an ${family} address/prefix`);
  }
  return { address: match[1] as string, prefix: Number(match[2]) };
}
