import type { ClusterState } from '../model/cluster-state.js';
import type { SimGuest, SimNode, SimStorage } from '../model/types.js';
import type { Shuffler } from '../prng.js';
import { displayName, guestCpus, maxDisk, type Row, runState, uptimeOf } from './guest-rows.js';

const MIB = 1024 * 1024;

/**
 * guestResourceRow plays `extract_vm_stats` plus what Cluster.pm adds live from pmxcfs: `id`,
 * `vmid` (number), `node`, `type` and `status` always; the RRD members (`name`, `status`,
 * `template` 0/1, `uptime`, `max*`, usage, `memhost`, as of the last pvestatd update) only while
 * the owning node's RRD data is fresh — a guest of a node offline for longer than the staleness
 * window is just `status: "unknown"`; then `lock`, `tags`, `pool`, `hastate` when set.
 */
export function guestResourceRow(state: ClusterState, guest: SimGuest): Row {
  const row: Row = {
    id: `${guest.type}/${guest.vmid}`,
    vmid: guest.vmid,
    node: guest.node,
    type: guest.type,
    status: 'unknown',
  };
  const node = state.nodes.get(guest.node);
  if (!state.hasRrd(node)) {
    addConfigMembers(row, guest);
    return row;
  }
  const stats = guest.stats;
  const running = guest.running;
  row.uptime = uptimeOf(guest, state.rrdTimeOf(node));
  row.name = displayName(guest);
  row.status = runState(guest);
  row.template = guest.template ? 1 : 0;
  row.maxcpu = guestCpus(state, guest);
  row.cpu = running ? stats.cpu : 0;
  row.maxmem = guest.memoryMiB * MIB;
  row.mem = running ? stats.mem : 0;
  row.maxdisk = maxDisk(guest);
  row.disk = running && guest.type === 'lxc' ? stats.disk : 0;
  row.netin = running ? stats.netin : 0;
  row.netout = running ? stats.netout : 0;
  row.diskread = running ? stats.diskread : 0;
  row.diskwrite = running ? stats.diskwrite : 0;
  row.memhost = running ? (guest.type === 'qemu' ? stats.memhost : stats.mem) : 0;
  addConfigMembers(row, guest);
  return row;
}

function addConfigMembers(row: Row, guest: SimGuest): void {
  if (guest.lock !== undefined) row.lock = guest.lock;
  if (guest.tags !== undefined) row.tags = guest.tags;
  if (guest.pool !== undefined) row.pool = guest.pool;
  if (guest.ha) row.hastate = guest.ha.serviceState ?? guest.ha.state;
}

/**
 * nodeResourceRow plays `extract_node_stats`: `status` is `online` with fresh RRD data,
 * `offline` for a member that is down, else `unknown`; `level` and (unless `excludeStats`, i.e.
 * no Sys.Audit) `maxcpu/maxmem/maxdisk` while RRD data exists; `uptime/cpu/mem/disk` only online.
 * Values are those of the last pvestatd update.
 */
export function nodeResourceRow(state: ClusterState, node: SimNode, excludeStats: boolean): Row {
  const row: Row = { id: `node/${node.name}`, node: node.name, type: 'node', status: 'unknown' };
  if (state.hasRrd(node)) {
    if (node.online) {
      if (!excludeStats) {
        row.uptime = Math.max(0, Math.floor((state.rrdTime() - node.stats.bootedAt) / 1000));
        row.cpu = node.stats.cpu;
        row.mem = node.stats.mem;
        row.disk = node.stats.disk;
      }
      row.status = 'online';
    }
    row.level = node.level;
    if (!excludeStats) {
      row.maxcpu = node.maxcpu;
      row.maxmem = node.maxmem;
      row.maxdisk = node.rootfsTotal;
    }
  }
  if (!node.online) row.status = 'offline';
  return row;
}

/**
 * storageResourceRow plays `extract_storage_stats` for one (storage, node) pair: `status`
 * `available` with `disk` (used) / `maxdisk` (total) while the node's RRD data for it is fresh,
 * else `unknown` without them; `content` in random order, `shared` 0/1.
 */
export function storageResourceRow(
  state: ClusterState,
  storage: SimStorage,
  node: string,
  order: Shuffler,
): Row {
  const row: Row = {
    id: `storage/${node}/${storage.id}`,
    storage: storage.id,
    node,
    type: 'storage',
    plugintype: storage.type,
    status: 'unknown',
    shared: storage.shared ? 1 : 0,
    content: order.shuffle([...storage.content]).join(','),
  };
  if (state.storageHasRrd(storage, node)) {
    const usage = state.usageOn(storage, node);
    row.maxdisk = usage.total;
    row.disk = usage.used;
    row.status = 'available';
  }
  return row;
}
