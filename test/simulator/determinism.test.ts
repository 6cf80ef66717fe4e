import { describe, expect, it } from 'vitest';
import {
  type RunningSimulator,
  type SimulatorOptions,
  startSimulator,
} from '../../src/simulator/simulator.js';
import { FakeClock } from './support/fake-clock.js';
import { call, closeAgent } from './support/sim-http.js';

async function withPair(
  options: SimulatorOptions,
  body: (a: RunningSimulator, b: RunningSimulator, clocks: [FakeClock, FakeClock]) => Promise<void>,
): Promise<void> {
  const clocks: [FakeClock, FakeClock] = [new FakeClock(), new FakeClock()];
  const a = await startSimulator({ http: true, ...options, clock: clocks[0].now });
  const b = await startSimulator({ http: true, ...options, clock: clocks[1].now });
  try {
    await body(a, b, clocks);
  } finally {
    await Promise.all([closeAgent(a), closeAgent(b)]);
    await Promise.all([a.stop(), b.stop()]);
  }
}

const PATHS = [
  '/cluster/resources',
  '/nodes',
  '/cluster/status',
  '/nodes/pve2/storage',
  '/nodes/pve1/qemu',
];

describe('generation is deterministic from the seed', () => {
  it('builds the same cluster and the same answers, byte for byte, for the same seed', async () => {
    await withPair({ seed: 'same', nodes: 4, guests: 120 }, async (a, b) => {
      expect(a.control.guests()).toEqual(b.control.guests());
      expect(a.control.nodes()).toEqual(b.control.nodes());
      expect(a.control.storages()).toEqual(b.control.storages());
      for (const path of PATHS) {
        const [x, y] = [await call(a, path), await call(b, path)];
        expect(x.body, path).toBe(y.body);
      }
    });
  });

  it('builds a different cluster for another seed', async () => {
    const other = await startSimulator({
      http: true,
      seed: 2,
      nodes: 4,
      guests: 120,
      clock: new FakeClock().now,
    });
    const base = await startSimulator({
      http: true,
      seed: 1,
      nodes: 4,
      guests: 120,
      clock: new FakeClock().now,
    });
    try {
      expect(other.control.guests()).not.toEqual(base.control.guests());
    } finally {
      await Promise.all([other.stop(), base.stop()]);
    }
  });

  it('makes the same churn changes and metric drift for the same seed', async () => {
    await withPair(
      { seed: 'churn', nodes: 3, guests: 60, migrationPhaseMs: 60_000 },
      async (a, b, clocks) => {
        expect(a.control.churnStep(40)).toEqual(b.control.churnStep(40));
        expect(a.control.guests()).toEqual(b.control.guests());
        for (const clock of clocks) clock.advance(25_000);
        expect((await call(a, '/cluster/resources?type=vm')).body).toBe(
          (await call(b, '/cluster/resources?type=vm')).body,
        );
      },
    );
  });
});

describe('background churn', () => {
  it('changes the inventory at the requested rate until stopped', async () => {
    const sim = await startSimulator({
      http: true,
      seed: 'bg',
      nodes: 3,
      guests: 50,
      migrationPhaseMs: 10,
    });
    try {
      const before = JSON.stringify(sim.control.guests());
      sim.control.startChurn(200);
      await new Promise((resolve) => setTimeout(resolve, 250));
      sim.control.stopChurn();
      const after = JSON.stringify(sim.control.guests());
      expect(after).not.toBe(before);
      await new Promise((resolve) => setTimeout(resolve, 60));
      const settled = JSON.stringify(sim.control.guests());
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(JSON.stringify(sim.control.guests())).toBe(settled);
    } finally {
      await sim.stop();
    }
  });
});
