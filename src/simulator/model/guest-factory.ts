import type { Prng } from '../prng.js';
import type { ClusterState } from './cluster-state.js';
import type { GuestType, HaState, SimDisk, SimGuest, SimNic } from './types.js';

const GIB = 1024 ** 3;
const ROLES = ['web', 'db', 'cache', 'api', 'worker', 'k8s', 'ci', 'mail', 'dns', 'proxy', 'mon'];
const ENVS = ['prod', 'stage', 'dev', 'test'];
const TAGS = ['prod', 'staging', 'dev', 'web', 'db', 'k8s', 'backup', 'monitoring', 'ci', 'legacy'];
const QEMU_OS = [
  ['l26', 80],
  ['win11', 8],
  ['win10', 4],
  ['other', 3],
] as const;
const LXC_OS = ['debian', 'ubuntu', 'alpine', 'rockylinux'];
const AGENT_VALUES = [
  ['1', 6],
  ['1,fstrim_cloned_disks=1', 2],
  ['enabled=1,type=virtio', 2],
] as const;

/**
 * GuestSpec describes a guest to create; every omitted field is drawn at random (plausible
 * values), so `{}` creates a realistic guest. `agent: null` means "no agent key in config".
 */
export interface GuestSpec {
  type?: GuestType;
  vmid?: number;
  node?: string;
  name?: string;
  /** Raw tag string, or a list joined with `;`. */
  tags?: string | string[];
  description?: string;
  cores?: number;
  sockets?: number;
  memoryMiB?: number;
  running?: boolean;
  template?: boolean;
  agent?: string | null;
  agentRunning?: boolean;
  pool?: string;
  ha?: HaState['state'];
  nics?: number;
  ostype?: string;
}

/** nextFreeVmid returns the lowest vmid ≥ `from` unused cluster-wide. */
export function nextFreeVmid(state: ClusterState, from = 100): number {
  let vmid = Math.max(100, from);
  while (state.guests.has(vmid)) vmid++;
  return vmid;
}

/**
 * createGuest builds (but does not register) a guest from `spec`, filling gaps from `rng`:
 * name, tags, sizes, disks on storages enabled on its node, NICs with unique MACs and addresses
 * derived from the vmid, agent settings, pool and HA state, and running stats.
 */
export function createGuest(
  state: ClusterState,
  rng: Prng,
  spec: GuestSpec & { vmid: number; node: string },
): SimGuest {
  const type: GuestType = spec.type ?? (rng.chance(0.3) ? 'lxc' : 'qemu');
  const vmid = spec.vmid;
  const template = spec.template ?? false;
  const ostype = spec.ostype ?? (type === 'qemu' ? rng.weighted(QEMU_OS) : rng.pick(LXC_OS));
  const running = !template && (spec.running ?? rng.chance(0.75));
  const memoryMiB = spec.memoryMiB ?? rng.pick([512, 1024, 2048, 4096, 8192, 16384]);
  const agent = type === 'qemu' ? pickAgent(spec, rng) : undefined;
  const guest: SimGuest = {
    vmid,
    type,
    node: spec.node,
    name: spec.name ?? defaultName(type, vmid, template, ostype, rng),
    tags: pickTags(spec, rng),
    description: spec.description ?? pickDescription(template, ostype, rng),
    template,
    running,
    qmpStatus: type === 'qemu' && running ? 'running' : undefined,
    cores: spec.cores ?? rng.pick([1, 2, 2, 4, 4, 8]),
    sockets: type === 'qemu' ? (spec.sockets ?? (rng.chance(0.1) ? 2 : 1)) : 1,
    memoryMiB,
    balloonMiB: type === 'qemu' && rng.chance(0.3) ? Math.floor(memoryMiB / 2) : undefined,
    swapMiB: type === 'lxc' ? rng.pick([0, 512, 1024]) : 0,
    cpulimit: rng.chance(0.05) ? String(rng.pick([1, 2, 4])) : undefined,
    ostype,
    onboot: rng.chance(0.6),
    serial: type === 'qemu' && rng.chance(0.1),
    disks: [],
    nics: [],
    agent,
    agentRunning: spec.agentRunning ?? (agent !== undefined && agent !== '0' && rng.chance(0.88)),
    extraInterfaces: agent !== undefined && ostype === 'l26' && rng.chance(0.1) ? 'docker' : 'none',
    pool: spec.pool ?? pickPool(state, rng),
    ha: pickHa(spec, running, template, rng),
    ctime: Math.floor(state.now() / 1000) - rng.int(86400, 3 * 365 * 86400),
    uuid: uuidFrom(rng),
    vmgenid: uuidFrom(rng),
    stats: emptyStats(),
    rev: 0,
  };
  guest.disks = createDisks(state, rng, guest);
  guest.nics = createNics(
    rng,
    guest,
    spec.nics ??
      rng.weighted([
        [1, 70],
        [2, 22],
        [3, 8],
      ]),
  );
  if (running) startStats(guest, rng, state.now() - rng.int(600, 90 * 86400) * 1000, state.now());
  return guest;
}

/** startStats gives a guest the stats of a guest running since `startedAt` (clock `now`). */
export function startStats(guest: SimGuest, rng: Prng, startedAt: number, now: number): void {
  const maxmem = guest.memoryMiB * 1024 * 1024;
  const mem = Math.round(maxmem * rng.float(0.2, 0.8));
  const uptime = Math.max(1, (now - startedAt) / 1000);
  guest.stats = {
    cpu: rng.float(0.002, 0.4),
    mem,
    memhost: Math.round(mem * 1.04),
    swap: 0,
    disk:
      guest.type === 'lxc' ? Math.round((guest.disks[0]?.sizeBytes ?? 0) * rng.float(0.1, 0.6)) : 0,
    netin: Math.round(rng.float(1e3, 3e4) * Math.min(uptime, 1e7)),
    netout: Math.round(rng.float(5e2, 1e4) * Math.min(uptime, 1e7)),
    diskread: Math.round(rng.float(1e3, 5e4) * Math.min(uptime, 1e7)),
    diskwrite: Math.round(rng.float(1e3, 8e4) * Math.min(uptime, 1e7)),
    startedAt,
    pid: rng.int(1000, 4_000_000),
  };
}

/** emptyStats are the stats of a stopped guest. */
export function emptyStats(): SimGuest['stats'] {
  return {
    cpu: 0,
    mem: 0,
    memhost: 0,
    swap: 0,
    disk: 0,
    netin: 0,
    netout: 0,
    diskread: 0,
    diskwrite: 0,
    startedAt: 0,
    pid: 0,
  };
}

/**
 * macFor derives a guest MAC with Proxmox's `BC:24:11` prefix from (vmid, NIC index) through a
 * bijection on 24 bits, so MACs are unique for vmids below four million.
 */
export function macFor(vmid: number, index: number): string {
  const n = (Math.imul(vmid * 4 + index, 0x9e3779) + 0x5bd1e9) & 0xffffff;
  const bytes = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  return [
    'BC',
    '24',
    '11',
    ...bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')),
  ].join(':');
}

/** addressesFor derives a NIC's IPv4 (and optional IPv6) addresses from vmid and index. */
export function addressesFor(
  vmid: number,
  index: number,
): Pick<SimNic, 'ipv4' | 'ipv4Gateway'> & {
  ipv6: NonNullable<SimNic['ipv6']>;
} {
  const third = Math.floor(vmid / 250) % 250;
  const network = `10.${20 + index}.${third}`;
  return {
    ipv4: { address: `${network}.${(vmid % 250) + 2}`, prefix: 24 },
    ipv4Gateway: `${network}.1`,
    ipv6: { address: `2001:db8:${(20 + index).toString(16)}::${vmid.toString(16)}`, prefix: 64 },
  };
}

function createNics(rng: Prng, guest: SimGuest, count: number): SimNic[] {
  const windows = guest.ostype.startsWith('w');
  const linuxNames = rng.chance(0.7) ? ['ens18', 'ens19', 'ens20'] : ['eth0', 'eth1', 'eth2'];
  const nics: SimNic[] = [];
  for (let index = 0; index < count; index++) {
    const addresses = addressesFor(guest.vmid, index);
    const ifname =
      guest.type === 'lxc'
        ? `eth${index}`
        : windows
          ? index === 0
            ? 'Ethernet'
            : `Ethernet ${index + 1}`
          : (linuxNames[index] ?? `eth${index}`);
    nics.push({
      index,
      mac: macFor(guest.vmid, index),
      bridge: 'vmbr0',
      model: rng.chance(0.9) ? 'virtio' : 'e1000',
      firewall: rng.chance(0.6),
      vlan: rng.weighted<number | undefined>([
        [undefined, 4],
        [10, 2],
        [20, 2],
        [30, 1],
      ]),
      ifname,
      dhcp: guest.type === 'lxc' && rng.chance(0.3),
      ipv4: addresses.ipv4,
      ipv4Gateway: addresses.ipv4Gateway,
      ipv6: rng.chance(0.5) ? addresses.ipv6 : undefined,
      noAddress: index > 0 && rng.chance(0.05),
    });
  }
  return nics;
}

function createDisks(state: ClusterState, rng: Prng, guest: SimGuest): SimDisk[] {
  const storages = [...state.storages.values()].filter(
    (s) =>
      s.content.includes(guest.type === 'qemu' ? 'images' : 'rootdir') &&
      state.storageEnabledOn(s, guest.node),
  );
  const storage = storages.length > 0 ? rng.pick(storages) : undefined;
  const storageId = storage?.id ?? 'local';
  const prefix = guest.template
    ? 'base'
    : storage?.type === 'zfspool' && guest.type === 'lxc'
      ? 'subvol'
      : 'vm';
  const volume = `${prefix}-${guest.vmid}-disk-0`;
  if (guest.type === 'lxc') {
    return [
      { key: 'rootfs', storage: storageId, volume, sizeBytes: rng.pick([4, 8, 16, 32]) * GIB },
    ];
  }
  const disks: SimDisk[] = [
    {
      key: rng.chance(0.85) ? 'scsi0' : 'virtio0',
      storage: storageId,
      volume,
      sizeBytes: rng.pick([8, 16, 32, 50, 64, 100, 200]) * GIB,
    },
  ];
  if (rng.chance(0.2)) {
    disks.push({
      key: 'scsi1',
      storage: storageId,
      volume: `${prefix}-${guest.vmid}-disk-1`,
      sizeBytes: rng.pick([50, 100, 500]) * GIB,
    });
  }
  return disks;
}

function pickAgent(spec: GuestSpec, rng: Prng): string | undefined {
  if (spec.agent === null) return undefined;
  if (spec.agent !== undefined) return spec.agent;
  return rng.weighted<string | undefined>([
    [rng.weighted(AGENT_VALUES), 70],
    ['0', 5],
    [undefined, 25],
  ]);
}

function pickTags(spec: GuestSpec, rng: Prng): string | undefined {
  if (Array.isArray(spec.tags)) return spec.tags.length > 0 ? spec.tags.join(';') : undefined;
  if (typeof spec.tags === 'string') return spec.tags === '' ? undefined : spec.tags;
  const count = rng.weighted([
    [0, 4],
    [1, 3],
    [2, 2],
    [3, 1],
  ]);
  if (count === 0) return undefined;
  const tags = rng.sample(TAGS, count).sort();
  // A few configs were edited by hand: PVE sends those strings verbatim (API.md §5.5).
  return rng.chance(0.03) ? tags.join(', ') : tags.join(';');
}

function pickDescription(template: boolean, ostype: string, rng: Prng): string | undefined {
  if (template)
    return `Base image (${ostype}), cloud-init ready.\nBuilt by the image pipeline; do not start.`;
  if (!rng.chance(0.2)) return undefined;
  return rng.pick([
    'Managed by Ansible',
    'Owner: platform team\nTicket: OPS-1234',
    'Legacy, migrate by Q3',
  ]);
}

function pickPool(state: ClusterState, rng: Prng): string | undefined {
  const pools = [...state.pools.keys()];
  if (pools.length === 0 || !rng.chance(0.6)) return undefined;
  return rng.pick(pools);
}

function pickHa(
  spec: GuestSpec,
  running: boolean,
  template: boolean,
  rng: Prng,
): HaState | undefined {
  if (spec.ha !== undefined) return { state: spec.ha };
  if (template || !rng.chance(0.12)) return undefined;
  const state = rng.weighted<HaState['state']>([
    [running ? 'started' : 'stopped', 90],
    ['disabled', 5],
    ['ignored', 5],
  ]);
  return { state };
}

function defaultName(
  type: GuestType,
  vmid: number,
  template: boolean,
  ostype: string,
  rng: Prng,
): string | undefined {
  if (template)
    return `tpl-${type === 'lxc' ? ostype : ostype === 'l26' ? 'debian12' : ostype}-${vmid}`;
  if (rng.chance(0.01)) return undefined; // unnamed: PVE shows "VM <vmid>" / "CT<vmid>"
  return `${rng.pick(ROLES)}-${rng.pick(ENVS)}-${vmid}`;
}

function uuidFrom(rng: Prng): string {
  const hex = rng.hex(32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
