import type { BenchCluster } from './simulators.js';
import type { VmEvent } from './vm-subscribers.js';

/** Rename is one change the benchmark made in a simulator: a guest renamed at `changedAt`. */
export interface Rename {
  cluster: BenchCluster;
  clusterId: string;
  vmid: number;
  name: string;
  changedAt: number;
}

let counter = 0;

/**
 * pickGuests returns `count` random vmids of a simulated cluster, distinct as long as the
 * cluster has that many guests (then the shuffled list repeats).
 */
export function pickGuests(cluster: BenchCluster, count: number): number[] {
  const vmids = cluster.sim.control.guests().map((guest) => guest.vmid);
  for (let i = vmids.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [vmids[i], vmids[j]] = [vmids[j]!, vmids[i]!];
  }
  return Array.from({ length: count }, (_, i) => vmids[i % vmids.length]!);
}

/** nextRenameName is a name no guest had before in this benchmark run. */
export function nextRenameName(vmid: number): string {
  return `bench-${++counter}-${vmid}`;
}

/**
 * renameGuest renames a guest in its simulator now (a change pvesphere sees on its next poll), to
 * `name` (one from {@link nextRenameName}, when the caller needs to know it beforehand).
 */
export function renameGuest(
  cluster: BenchCluster,
  clusterId: string,
  vmid: number,
  name = nextRenameName(vmid),
): Rename {
  const changedAt = performance.now();
  cluster.sim.control.updateGuest(vmid, { name });
  return { cluster, clusterId, vmid, name, changedAt };
}

/** renameKey identifies the event of a rename: `<clusterId>/<vmid>/<name>`. */
export function renameKey(rename: { clusterId: string; vmid: number; name: string }): string {
  return `${rename.clusterId}/${rename.vmid}/${rename.name}`;
}

/** eventKey is the renameKey of the rename an event reports. */
export function eventKey(event: VmEvent): string {
  return `${event.clusterId}/${event.vm.vmid}/${event.vm.name ?? ''}`;
}

/**
 * detailCallsAfter counts the detail calls a cluster answered about `vmid` in
 * [from, from + windowMs]: what one change of that guest cost in config/agent calls.
 */
export function detailCallsAfter(
  cluster: BenchCluster,
  vmid: number,
  from: number,
  windowMs: number,
): number {
  return cluster.details.filter(
    (call) => call.vmid === vmid && call.sentAt >= from && call.sentAt <= from + windowMs,
  ).length;
}
