import type { ClusterState } from '../model/cluster-state.js';
import type { SimGuest } from '../model/types.js';

const MIB = 1024 * 1024;

/** Row is one object of an answer, before serialisation. */
export type Row = Record<string, unknown>;

/** displayName is the name PVE reports: config name, else `VM <vmid>` / `CT<vmid>`. */
export function displayName(guest: SimGuest): string {
  if (guest.name !== undefined) return guest.name;
  return guest.type === 'qemu' ? `VM ${guest.vmid}` : `CT${guest.vmid}`;
}

/** guestCpus is vmstatus' `cpus`: sockets × cores capped at the host's CPUs (LXC: cores). */
export function guestCpus(state: ClusterState, guest: SimGuest): number {
  const host = state.nodes.get(guest.node)?.maxcpu ?? 1;
  const cpus = guest.type === 'qemu' ? guest.sockets * guest.cores : guest.cores;
  return Math.min(cpus, host);
}

/** maxDisk is the boot disk (QEMU) or rootfs (LXC) size in bytes. */
export function maxDisk(guest: SimGuest): number {
  return guest.disks[0]?.sizeBytes ?? 0;
}

/** uptimeOf is a running guest's uptime in seconds at `time` (0 when stopped). */
export function uptimeOf(guest: SimGuest, time: number): number {
  return guest.running ? Math.max(0, Math.floor((time - guest.stats.startedAt) / 1000)) : 0;
}

/** runState is what RRD and `/cluster/resources` carry as status (QMP status for running VMs). */
export function runState(guest: SimGuest): string {
  if (!guest.running) return 'stopped';
  return guest.type === 'qemu' ? (guest.qmpStatus ?? 'running') : 'running';
}

/**
 * agentEnabled reads the `enabled` key of the `agent` property string (`1`, `0`,
 * `enabled=1,type=virtio`, `type=isa,enabled=0`); it defaults to off.
 */
export function agentEnabled(guest: SimGuest): boolean {
  for (const part of (guest.agent ?? '').split(',')) {
    const [key, value] = part.includes('=') ? part.split('=') : ['enabled', part];
    if (key === 'enabled') return value === '1';
  }
  return false;
}

/**
 * vmStatusRow renders `vmstatus` for one guest as `/nodes/{node}/qemu` and `/lxc` list it (and
 * as `status/current` starts from): integers as numbers, `template`, `lock`, `tags`, `serial`
 * only when set, `pid` and pressure stalls only while running.
 */
export function vmStatusRow(state: ClusterState, guest: SimGuest): Row {
  const stats = guest.stats;
  const running = guest.running;
  const row: Row = {
    vmid: guest.vmid,
    status: running ? 'running' : 'stopped',
    name: displayName(guest),
    cpus: guestCpus(state, guest),
    maxmem: guest.memoryMiB * MIB,
    maxdisk: maxDisk(guest),
    disk: guest.type === 'lxc' && running ? stats.disk : 0,
    uptime: uptimeOf(guest, state.now()),
    cpu: running ? stats.cpu : 0,
    mem: running ? stats.mem : 0,
    netin: running ? stats.netin : 0,
    netout: running ? stats.netout : 0,
    diskread: running ? stats.diskread : 0,
    diskwrite: running ? stats.diskwrite : 0,
  };
  if (guest.type === 'qemu') {
    row.memhost = running ? stats.memhost : 0;
    if (guest.serial) row.serial = 1;
    if (guest.balloonMiB !== undefined) {
      row.balloon_min = guest.balloonMiB * MIB;
      row.shares = 1000;
    }
  } else {
    row.type = 'lxc';
    row.maxswap = guest.swapMiB * MIB;
    row.swap = running ? stats.swap : 0;
  }
  if (running) {
    row.pid = stats.pid;
    row.pressurecpusome = round2(stats.cpu * 3);
    row.pressurecpufull = round2(stats.cpu * 2);
    row.pressureiosome = 0;
    row.pressureiofull = 0;
    row.pressurememorysome = 0;
    row.pressurememoryfull = 0;
  }
  if (guest.template) row.template = 1;
  if (guest.lock !== undefined) row.lock = guest.lock;
  if (guest.tags !== undefined) row.tags = guest.tags;
  return row;
}

/** haStatus renders the `ha` object of `status/current`. */
export function haStatus(guest: SimGuest): Row {
  if (!guest.ha) return { managed: 0 };
  return { managed: 1, state: guest.ha.serviceState ?? guest.ha.state };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** qmpMembers are the `full=1` / `status/current` members QMP adds for a running VM. */
export function qmpMembers(row: Row, qmpStatus: string | undefined): Row {
  if (row.status !== 'running') return { qmpstatus: row.status };
  return {
    qmpstatus: qmpStatus ?? 'running',
    'running-machine': 'pc-i440fx-9.2+pve1',
    'running-qemu': '9.2.0',
    'proxmox-support': { 'pbs-dirty-bitmap': true, 'query-bitmap-info': true },
    balloon: row.maxmem,
    freemem:
      typeof row.maxmem === 'number' && typeof row.mem === 'number' ? row.maxmem - row.mem : 0,
  };
}
