/**
 * Subscription hygiene (issue 6 §6): a slow subscriber never holds the others back nor grows
 * memory without bound, and disconnects release everything — over the real server, with the
 * official graphql-ws and graphql-sse clients.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents } from '../../src/events/event-log.js';
import type { InventoryEvent } from '../../src/events/inventory-change.js';
import { vmChange, vmEvent } from '../events/fixtures.js';
import { VmChanged, VmSequences } from '../events/operations.js';
import { subscribeSse, subscribeWs, type WsSubscription } from '../events/subscription-client.js';
import { collectGarbage } from '../support/collect-garbage.js';
import { eventually } from '../support/simulator-fixture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const BUFFER = 50;
/** The cluster of the synthetic flood: no other subscription of this file asks for it. */
const FLOOD_CLUSTER = 4242;

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ env: { PVESPHERE_SUBSCRIBER_BUFFER: String(BUFFER) } });
  // Two stored events: a subscription with after: "0" replays them, proving it is running.
  await app.services.db.transaction((client) =>
    appendEvents(client, [
      vmChange({ vmid: 100 }, { vmid: 100 }),
      vmChange({ vmid: 101 }, { vmid: 101 }),
    ]),
  );
});

afterAll(async () => {
  await app?.stop();
});

const listeners = () => app.services.bus.listenerCount;

/** floodEvent is a large synthetic guest event (64 KiB description) of the flood cluster. */
function floodEvent(n: number): InventoryEvent {
  return vmEvent(
    (9_000_000_000_000_000_000n + BigInt(n)).toString(),
    { clusterId: FLOOD_CLUSTER },
    { clusterId: FLOOD_CLUSTER, vmid: 500, description: 'x'.repeat(64 * 1024) },
  );
}

describe('backpressure', () => {
  it('ends a subscriber that stops reading with SUBSCRIBER_TOO_SLOW, while another receives everything', async () => {
    await eventually(() => expect(listeners()).toBe(0));
    const variables = { clusterId: String(FLOOD_CLUSTER) };
    const fast = subscribeWs(app.url, VmChanged, variables);
    const slow = subscribeWs(app.url, VmChanged, variables);
    try {
      await eventually(() => expect(listeners()).toBe(2));
      slow.socket()!.pause();

      let published = 0;
      while (listeners() === 2) {
        if (published >= 3000) throw new Error('the slow subscriber was never ended');
        app.services.bus.publish(Array.from({ length: 10 }, () => floodEvent(++published)));
        // The fast subscriber is never more than one batch behind.
        await eventually(() => expect(fast.results.length).toBe(published), { intervalMs: 2 });
      }
      const endedAt = published;
      slow.socket()!.resume();
      await slow.ended();

      expect(slow.completed).toBe(true);
      const last = slow.results.at(-1)!;
      expect(last.data ?? null).toBeNull();
      expect(last.errors).toHaveLength(1);
      const got = slow.data().map((d) => d.vmChanged.sequence);
      expect(last.errors![0]!.extensions).toMatchObject({
        code: 'SUBSCRIBER_TOO_SLOW',
        buffer: BUFFER,
        resumeAfter: got.at(-1),
      });
      expect(last.errors![0]!.message).toContain(`after: "${got.at(-1)}"`);
      // What it got before the end is the start of what everybody got, in order.
      const all = fast.data().map((d) => d.vmChanged.sequence);
      expect(got).toEqual(all.slice(0, got.length));
      expect(endedAt - got.length).toBeGreaterThan(BUFFER);

      // The fast subscriber carries on.
      app.services.bus.publish([floodEvent(++published)]);
      await fast.waitFor(published);
      expect(fast.results.every((r) => r.errors === undefined)).toBe(true);
    } finally {
      await fast.stop();
      await slow.stop();
    }
    await eventually(() => expect(listeners()).toBe(0));
  });
});

describe('disconnects release everything', () => {
  it('an SSE client that goes away releases its stream', async () => {
    await eventually(() => expect(listeners()).toBe(0));
    const sse = subscribeSse(app.url, VmSequences, { after: '0' });
    await sse.waitFor(2);
    expect(listeners()).toBe(1);
    expect(app.services.events.openStreams).toBe(1);
    await sse.stop();
    await eventually(() => {
      expect(listeners()).toBe(0);
      expect(app.services.events.openStreams).toBe(0);
    });
  });

  it('1,000 graphql-ws subscribe/disconnect cycles leave no listener behind and no heap growth', async () => {
    await eventually(() => expect(listeners()).toBe(0));
    /** cycle subscribes, waits for the replayed events, then leaves — politely or abruptly. */
    const cycle = async (i: number) => {
      const sub: WsSubscription<unknown> = subscribeWs(app.url, VmSequences, { after: '0' });
      await sub.waitFor(2);
      if (i % 2 === 0) sub.socket()?.terminate();
      await sub.stop();
    };
    const run = async (count: number, offset: number) => {
      const parallel = 20;
      for (let i = 0; i < count; i += parallel) {
        await Promise.all(
          Array.from({ length: Math.min(parallel, count - i) }, (_, j) => cycle(offset + i + j)),
        );
      }
    };
    await run(100, 0); // warm-up: caches, JIT, pools
    await eventually(() => expect(listeners()).toBe(0));
    collectGarbage();
    const before = process.memoryUsage().heapUsed;

    await run(1000, 100);
    await eventually(() => {
      expect(listeners()).toBe(0);
      expect(app.services.events.openStreams).toBe(0);
    });
    collectGarbage();
    const growth = process.memoryUsage().heapUsed - before;
    // A leak of what one subscription holds (stream, socket, context) would be tens of MB here.
    expect(growth).toBeLessThan(8 * 1024 * 1024);
  }, 60_000);
});
