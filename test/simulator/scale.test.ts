import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCertificate, type SimulatorCertificate } from '../../src/simulator/certificate.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/simulator.js';
import { call, closeAgent } from './support/sim-http.js';

let certificate: SimulatorCertificate;
beforeAll(async () => {
  certificate = await generateCertificate();
});

async function timed(sim: RunningSimulator, path: string, headers: Record<string, string> = {}) {
  const started = performance.now();
  const answer = await call(sim, path, { headers });
  const ms = performance.now() - started;
  expect(answer.status).toBe(200);
  return { ms, rows: (JSON.parse(answer.body) as { data: unknown[] }).data.length };
}

describe('scale: 100 nodes and 10,000 guests in one cluster', () => {
  let sim: RunningSimulator;
  let startMs = 0;
  beforeAll(async () => {
    const started = performance.now();
    sim = await startSimulator({ seed: 'scale', nodes: 100, guests: 10_000, certificate });
    startMs = performance.now() - started;
  }, 60_000);
  afterAll(async () => {
    await closeAgent(sim);
    await sim.stop();
  });

  it('answers /cluster/resources with every row well under a second over HTTPS', async () => {
    const first = await timed(sim, '/cluster/resources');
    const warm = [];
    for (let i = 0; i < 3; i++) warm.push((await timed(sim, '/cluster/resources')).ms);
    sim.control.tickRrd();
    const afterUpdate = await timed(sim, '/cluster/resources', { 'accept-encoding': 'gzip' });
    const storageRows = sim.control.storages().reduce((n, s) => n + Object.keys(s.usage).length, 0);
    expect(first.rows).toBe(10_000 + 100 + storageRows + 4 /* pools */ + 100 /* sdn */);
    warm.sort((a, b) => a - b);
    console.info(
      `scale: start ${startMs.toFixed(0)} ms; /cluster/resources ${first.rows} rows: first ${first.ms.toFixed(0)} ms, ` +
        `warm median ${warm[1]?.toFixed(0)} ms, after an RRD update (gzip) ${afterUpdate.ms.toFixed(0)} ms`,
    );
    expect(warm[1]).toBeLessThan(1000);
    expect(afterUpdate.ms).toBeLessThan(2000);
  }, 60_000);

  it('answers per-node lists of a 100-guest node quickly', async () => {
    const node = sim.control.nodes()[50]?.name ?? 'pve50';
    const { ms, rows } = await timed(sim, `/nodes/${node}/qemu`);
    expect(rows).toBeGreaterThan(20);
    expect(ms).toBeLessThan(500);
  });
});

describe('several clusters in one process', () => {
  it('runs 10 clusters of 1,000 guests, each on its own port with its own inventory', async () => {
    const sims: RunningSimulator[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        sims.push(
          await startSimulator({ seed: `multi-${i}`, nodes: 5, guests: 1000, certificate }),
        );
      }
      expect(new Set(sims.map((s) => s.port)).size).toBe(10);
      const counts = await Promise.all(
        sims.map(async (s) => (await timed(s, '/cluster/resources?type=vm')).rows),
      );
      expect(counts).toEqual(sims.map((s) => s.control.guests().length));
      const names = await Promise.all(
        sims.map(async (s) => JSON.parse((await call(s, '/cluster/status')).body).data[0].name),
      );
      expect(new Set(names).size).toBe(10);
    } finally {
      await Promise.all(
        sims.map(async (s) => {
          await closeAgent(s);
          await s.stop();
        }),
      );
    }
  }, 60_000);
});
