import type { Prng } from '../prng.js';
import type { ClusterState } from './cluster-state.js';
import type { SimGuest } from './types.js';

/**
 * RrdUpdater plays pvestatd: every `rrdIntervalMs` of simulator clock the usage metrics of online
 * nodes, their running guests and their active storages drift (cpu, mem, counters growing,
 * storage usage), so a poller sees metric churn without any inventory change. Updates are
 * computed lazily: `sync()` (called before each API answer) applies one update per interval
 * boundary crossed since the last call, each drawn from a generator forked from the seed and the
 * interval number, so the values depend only on the seed and the clock readings.
 */
export class RrdUpdater {
  /** RrdUpdater starts at the current interval (the generated stats are that interval's). */
  constructor(
    private readonly state: ClusterState,
    private readonly prng: Prng,
  ) {
    state.rrdEpoch = this.epochNow();
  }

  /** sync applies the update due for the current interval, if any; true when it did. */
  sync(): boolean {
    const epoch = this.epochNow();
    if (epoch <= this.state.rrdEpoch) return false;
    this.state.rrdEpoch = epoch;
    this.apply(epoch);
    return true;
  }

  /** force applies one update now regardless of the clock (tests, control surface). */
  force(): void {
    this.state.rrdEpoch++;
    this.apply(this.state.rrdEpoch);
  }

  private epochNow(): number {
    return Math.floor(this.state.now() / this.state.rrdIntervalMs);
  }

  private apply(epoch: number): void {
    const rng = this.prng.fork(`rrd/${epoch}`);
    const seconds = this.state.rrdIntervalMs / 1000;
    for (const node of this.state.nodes.values()) {
      if (!node.online) continue;
      const stats = node.stats;
      stats.cpu = clamp(stats.cpu + rng.float(-0.03, 0.03), 0.005, 0.95);
      stats.mem = Math.round(
        clamp(stats.mem + rng.float(-0.01, 0.01) * node.maxmem, 0, node.maxmem),
      );
      stats.loadavg = [stats.cpu * node.maxcpu, stats.loadavg[0], stats.loadavg[1]];
      for (const guest of this.state.guestsOn(node.name)) driftGuest(guest, rng, seconds);
    }
    for (const storage of this.state.storages.values()) {
      const usages = storage.sharedUsage ? [storage.sharedUsage] : storage.nodeUsage.values();
      for (const usage of usages) {
        if (!usage.active || usage.total === 0) continue;
        const delta = Math.round(rng.float(-0.0005, 0.001) * usage.total);
        usage.used = Math.round(clamp(usage.used + delta, 0, usage.total * 0.98));
      }
    }
  }
}

function driftGuest(guest: SimGuest, rng: Prng, seconds: number): void {
  if (!guest.running) return;
  const stats = guest.stats;
  const maxmem = guest.memoryMiB * 1024 * 1024;
  stats.cpu = clamp(stats.cpu + rng.float(-0.04, 0.04), 0, 1);
  stats.mem = Math.round(clamp(stats.mem + rng.float(-0.02, 0.02) * maxmem, maxmem * 0.05, maxmem));
  stats.memhost = Math.round(stats.mem * 1.04);
  const traffic = 2000 + (guest.vmid % 97) * 800;
  stats.netin += Math.round(traffic * seconds * rng.float(0.5, 1.5));
  stats.netout += Math.round(traffic * 0.4 * seconds * rng.float(0.5, 1.5));
  stats.diskread += Math.round(4096 * seconds * rng.float(0, 20));
  stats.diskwrite += Math.round(4096 * seconds * rng.float(0, 40));
  if (guest.type === 'lxc') {
    const maxdisk = guest.disks[0]?.sizeBytes ?? 0;
    stats.disk = Math.round(clamp(stats.disk + rng.float(-1, 2) * 1024 * 1024, 0, maxdisk));
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
