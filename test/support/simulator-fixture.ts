import {
  type RunningSimulator,
  type SimulatorOptions,
  startSimulator,
} from '../../src/simulator/simulator.js';
import { registerSecret, testLogger } from './capture.js';

/**
 * startTestSimulator starts an in-process PVE simulator over HTTPS (self-signed, fingerprint
 * pinned by the clients) with its secrets registered for the whole-run leak check.
 */
export async function startTestSimulator(
  options: SimulatorOptions = {},
): Promise<RunningSimulator> {
  const sim = await startSimulator({ logger: testLogger({ component: 'simulator' }), ...options });
  registerSecret(sim.secret);
  if (sim.adminToken) registerSecret(sim.adminToken);
  return sim;
}

/** eventually retries an assertion until it passes or `timeoutMs` runs out (real time). */
export async function eventually<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/**
 * clusterInput is the `createCluster` input that registers `sim` under `name`: its URL and sync
 * token, its certificate pinned.
 */
export function clusterInput(sim: RunningSimulator, name: string) {
  return {
    name,
    apiUrl: sim.url,
    tokenId: sim.tokenId,
    tokenSecret: sim.secret,
    tlsFingerprint: sim.fingerprint!,
  };
}
