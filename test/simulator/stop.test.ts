import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/simulator.js';
import { call, closeAgent } from './support/sim-http.js';

/** connected opens a plain TCP connection to `url`'s port and resolves once it is established. */
async function connected(url: string): Promise<Socket> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** within resolves with `promise`'s outcome, or rejects when it takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('stopping a simulator', () => {
  // The HTTP layer learns of a TLS connection only when its handshake is done: a connection
  // still in its handshake kept stop() waiting for it (CI: a test's `finally { sim.stop() }`
  // hung until vitest's timeout while pvesphere was reconnecting to it).
  it('drops connections still in their TLS handshake and kept-alive ones, and resolves at once', async () => {
    const sim = await startSimulator({ seed: 5, nodes: 1, guests: 2 });
    const silent = await connected(sim.url);
    const silentClosed = new Promise<void>((resolve) => silent.once('close', () => resolve()));
    try {
      expect((await call(sim, '/version')).status).toBe(200); // leaves a kept-alive connection
      await within(sim.stop(), 2_000);
      await within(silentClosed, 2_000);
      await expect(connected(sim.url)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      silent.destroy();
      await closeAgent(sim);
      await sim.stop();
    }
  });
});
