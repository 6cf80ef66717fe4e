import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCertificate, type SimulatorCertificate } from '../../src/simulator/certificate.js';
import { startSimulator } from '../../src/simulator/simulator.js';
import { loadFacts, requestPath } from '../facts/index.js';
import { FakeClock } from './support/fake-clock.js';
import { arrangeScenario } from './support/scenarios.js';
import { call, closeAgent } from './support/sim-http.js';

const facts = (await loadFacts()).filter((fact) => fact.check !== undefined);

let certificate: SimulatorCertificate;
beforeAll(async () => {
  certificate = await generateCertificate();
});

describe('the simulator reproduces the PVE facts table over real HTTPS', () => {
  it('covers every fact a simulator can reproduce', () => {
    expect(facts.length).toBeGreaterThan(30);
  });

  for (const fact of facts) {
    it(`${fact.id} (${fact.section}, scenario ${fact.scenario})`, async () => {
      const clock = new FakeClock();
      const sim = await startSimulator({
        seed: 42,
        nodes: 3,
        guests: 40,
        certificate,
        clock: clock.now,
      });
      try {
        const arranged = arrangeScenario(fact, sim, clock);
        const path = requestPath(fact, arranged.params);
        const query = new URLSearchParams(fact.request.query ?? {}).toString();
        const raw = await call(sim, query ? `${path}?${query}` : path, {
          credentials: arranged.credentials,
        });
        expect(
          fact.check?.(raw),
          `${fact.statement}\n${raw.status} ${raw.statusText} ${raw.body.slice(0, 300)}`,
        ).toEqual([]);
      } finally {
        await closeAgent(sim);
        await sim.stop();
      }
    });
  }
});

afterAll(() => undefined);
