import type { Prng } from '../prng.js';
import type { SimNode } from './types.js';

const GIB = 1024 ** 3;
const CPU_MODELS = [
  'AMD EPYC 7543 32-Core Processor',
  'AMD EPYC 9354 32-Core Processor',
  'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz',
  'Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz',
  'Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz',
];

/**
 * createNode builds a cluster member named `name` with plausible hardware, online and booted some
 * days before `now`. Everything is drawn from `rng`, so equal seeds give equal nodes.
 */
export function createNode(name: string, nodeid: number, rng: Prng, now: number): SimNode {
  const maxcpu = rng.pick([16, 24, 32, 48, 64, 96, 128]);
  const maxmem = rng.pick([64, 128, 192, 256, 384, 512]) * GIB - rng.int(1, 2000) * 1024 * 1024;
  const rootfsTotal = rng.pick([94, 98, 100, 227, 459]) * GIB + rng.int(0, 900) * 1024 * 1024;
  const cpu = rng.float(0.02, 0.35);
  return {
    name,
    nodeid,
    ip: `10.0.${Math.floor(nodeid / 200)}.${10 + (nodeid % 200)}`,
    online: true,
    offlineStatus: 595,
    offlineReason: 'No route to host',
    maxcpu,
    maxmem,
    rootfsTotal,
    swapTotal: rng.pick([0, 8 * GIB]),
    cpuModel: rng.pick(CPU_MODELS),
    sockets: maxcpu >= 64 ? 2 : 1,
    level: rng.weighted([
      ['', 6],
      ['c', 2],
      ['b', 1],
      ['s', 1],
    ]),
    kernel: rng.pick(['6.14.8-2-pve', '6.14.11-1-pve', '6.8.12-13-pve']),
    fingerprint: fingerprintFrom(rng),
    stats: {
      cpu,
      mem: Math.round(maxmem * rng.float(0.25, 0.7)),
      disk: Math.round(rootfsTotal * rng.float(0.05, 0.4)),
      swapUsed: 0,
      loadavg: [cpu * maxcpu, cpu * maxcpu * 0.9, cpu * maxcpu * 0.8],
      bootedAt: now - rng.int(3600, 200 * 86400) * 1000,
    },
  };
}

/** fingerprintFrom draws a SHA-256 style fingerprint (`AA:BB:…`, 32 bytes). */
export function fingerprintFrom(rng: Prng): string {
  const hex = rng.hex(64).toUpperCase();
  return hex.match(/../g)?.join(':') ?? hex;
}
