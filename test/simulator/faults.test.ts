import { describe, expect, it } from 'vitest';
import { SimulatorControlError } from '../../src/simulator/control-error.js';
import { call, useSimulator } from './support/sim-http.js';

const sim = useSimulator({ seed: 9, guests: 10, http: true });

describe('injected faults', () => {
  it('answers 401 with an empty body for the next N calls, then recovers', async () => {
    sim().control.addFault({ kind: 'auth', count: 2 });
    expect(sim().control.faults()).toMatchObject([{ kind: 'auth', remaining: 2 }]);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(sim(), '/version')).status);
    expect(statuses).toEqual([401, 401, 200]);
    expect(sim().control.faults()).toEqual([]);
  });

  it('fails only calls whose path matches the pattern with the given status and message', async () => {
    const id = sim().control.addFault({
      kind: 'status',
      path: '^/cluster/resources',
      status: 503,
      message: 'busy',
    });
    const failed = await call(sim(), '/cluster/resources?type=vm');
    expect([failed.status, failed.statusText]).toEqual([503, 'busy']);
    expect(JSON.parse(failed.body)).toEqual({ data: null, message: 'busy\n' });
    expect((await call(sim(), '/nodes')).status).toBe(200);
    expect(sim().control.removeFault(id)).toBe(true);
    expect((await call(sim(), '/cluster/resources')).status).toBe(200);
  });

  it('delays answers by the latency', async () => {
    sim().control.addFault({ kind: 'latency', delayMs: 120, count: 1 });
    const started = performance.now();
    expect((await call(sim(), '/version')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('never answers a timed-out call (the client gives up) and serves the next one', async () => {
    sim().control.addFault({ kind: 'timeout', count: 1 });
    await expect(
      fetch(`${sim().url}/api2/json/version`, { signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    expect((await call(sim(), '/version')).status).toBe(200);
  });

  it('sends a 200 whose JSON body is cut off', async () => {
    sim().control.addFault({ kind: 'malformed', count: 1 });
    const answer = await call(sim(), '/cluster/resources');
    expect(answer.status).toBe(200);
    expect(() => JSON.parse(answer.body)).toThrow();
    expect(answer.body.startsWith('{')).toBe(true);
  });

  it('resets the connection without an answer', async () => {
    sim().control.addFault({ kind: 'reset', count: 1 });
    await expect(call(sim(), '/version')).rejects.toThrow();
    expect((await call(sim(), '/version')).status).toBe(200);
  });

  it('counts faulted calls and refuses malformed rules', () => {
    expect(sim().control.counters().byStatus['0']).toBeGreaterThanOrEqual(2);
    expect(() => sim().control.addFault({ kind: 'explode' as never })).toThrow(
      SimulatorControlError,
    );
    expect(() => sim().control.addFault({ kind: 'auth', count: 0 })).toThrow(/positive integer/);
    expect(() => sim().control.addFault({ kind: 'status', path: '(' })).toThrow(/pattern/);
  });
});
