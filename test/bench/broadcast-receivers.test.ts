import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import {
  type BroadcastReceivers,
  openBroadcastReceivers,
} from '../../bench/support/broadcast-receivers.js';

describe('broadcast receivers (the fan-out measure’s clients, in a process of their own)', () => {
  let server: WebSocketServer | undefined;
  let receivers: BroadcastReceivers | undefined;
  afterEach(async () => {
    await receivers?.close();
    receivers = undefined;
    if (server) {
      for (const client of server.clients) client.terminate();
      await new Promise((resolve) => server!.close(resolve));
      server = undefined;
    }
  });

  async function start(count: number) {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    receivers = await openBroadcastReceivers({ kind: 'ws', url: `ws://127.0.0.1:${port}`, count });
    return { server, receivers };
  }

  it('times every client’s receipt of an armed round in this process’s clock', async () => {
    const { server, receivers } = await start(5);
    expect(receivers.count).toBe(5);
    expect(server.clients.size).toBe(5);
    for (let round = 0; round < 2; round++) {
      await receivers.arm(null);
      const sentAt = performance.now();
      for (const client of server.clients) client.send(JSON.stringify({ round }));
      const got = await receivers.receipts(10_000);
      const after = performance.now();
      expect(got.times).toHaveLength(5);
      expect(got.missed).toBe(0);
      for (const at of got.times) {
        expect(at).toBeGreaterThanOrEqual(sentAt - 1);
        expect(at).toBeLessThanOrEqual(after + 1);
      }
      expect(got.payload).toBeUndefined();
    }
  });

  it('reports what arrived when a round times out, and nothing for the clients left out', async () => {
    const { server, receivers } = await start(4);
    await receivers.arm(null);
    const clients = [...server.clients];
    for (const client of clients.slice(0, 3)) client.send('{}');
    const started = performance.now();
    const got = await receivers.receipts(300);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(got.times).toHaveLength(3);
    expect(got.missed).toBe(1);
    // The next round starts afresh.
    await receivers.arm(null);
    for (const client of clients) client.send('{}');
    const next = await receivers.receipts(10_000);
    expect(next.times).toHaveLength(4);
    expect(next.missed).toBe(0);
  });

  it('closes its clients and exits', async () => {
    const { server, receivers: open } = await start(3);
    receivers = undefined;
    expect(await open.close()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.clients.size).toBe(0);
  });
});
