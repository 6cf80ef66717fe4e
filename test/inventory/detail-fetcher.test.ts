import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DetailFetcher } from '../../src/inventory/detail-fetcher.js';
import { guestStateFromPve } from '../../src/inventory/mappers.js';
import {
  NO_IP_ADDRESSES,
  packIpAddresses,
  unpackIpAddresses,
} from '../../src/inventory/packed-ip-addresses.js';
import type { GuestState } from '../../src/inventory/state.js';
import { FakeClock } from '../../src/lib/clock.js';
import { PveClient } from '../../src/proxmox/client.js';
import type { RunningSimulator } from '../../src/simulator/simulator.js';
import { testLogger } from '../support/capture.js';
import { eventually, startTestSimulator } from '../support/simulator-fixture.js';

let sim: RunningSimulator;
let client: PveClient;

beforeAll(async () => {
  sim = await startTestSimulator({ nodes: 3, guests: 60, seed: 5 });
  client = new PveClient({
    baseUrl: sim.url,
    tokenId: sim.tokenId,
    secret: sim.secret,
    tlsFingerprint: sim.fingerprint!,
  });
});

afterAll(async () => {
  await client?.close();
  await sim?.stop();
});

function runningGuests(): GuestState[] {
  return sim.control
    .guests()
    .filter((g) => g.status === 'running' && !g.template)
    .map((g) =>
      guestStateFromPve(
        { vmid: g.vmid, type: g.type, node: g.node, status: 'running', name: g.name, tags: [] },
        undefined,
        undefined,
      ),
    );
}

describe('DetailFetcher', () => {
  it('spreads the periodic refresh of known guests over the interval instead of a burst', async () => {
    const clock = new FakeClock();
    const guests = runningGuests();
    const fetchedAt: number[] = [];
    const interval = 60_000;
    const fetcher = new DetailFetcher({
      client,
      refreshIntervalMs: interval,
      onChanged: () => {},
      // Every guest's details are known already (as after a restart): nothing is due at once.
      initial: guests.map((g) => [
        g.key,
        { description: null, agentEnabled: null, ipAddresses: NO_IP_ADDRESSES },
      ]),
      clock,
      logger: testLogger(),
      onFetch: () => fetchedAt.push(clock.now()),
    });
    fetcher.setOnlineNodes(sim.control.nodes().map((n) => n.name));
    fetcher.track(guests);
    const abort = new AbortController();
    const run = fetcher.run(abort.signal);
    const start = clock.now();
    for (let t = 0; t < interval; t += 1000) {
      await clock.advance(1000);
      await eventually(() => expect(fetcher.inFlight).toBe(0), { intervalMs: 5 });
    }
    abort.abort();
    await run;
    // Each guest refreshed exactly once during the interval…
    expect(fetchedAt).toHaveLength(guests.length);
    // …and no 6-second window (a tenth of the interval) holds more than a third of them.
    const buckets = new Array(10).fill(0);
    for (const at of fetchedAt) buckets[Math.min(9, Math.floor(((at - start) / interval) * 10))]++;
    expect(Math.max(...buckets)).toBeLessThanOrEqual(Math.ceil(guests.length / 3));
    expect(buckets.filter((n) => n > 0).length).toBeGreaterThanOrEqual(6);
  });

  it('fetches new guests at once, and a guest whose node is offline not at all', async () => {
    const clock = new FakeClock();
    const guests = runningGuests().slice(0, 6);
    const offline = guests[0]!.node;
    let fetched = 0;
    let changed = 0;
    const fetcher = new DetailFetcher({
      client,
      refreshIntervalMs: 600_000,
      onChanged: () => changed++,
      clock,
      logger: testLogger(),
      onFetch: () => fetched++,
    });
    fetcher.setOnlineNodes(
      sim.control
        .nodes()
        .map((n) => n.name)
        .filter((n) => n !== offline),
    );
    fetcher.track(guests);
    const abort = new AbortController();
    const run = fetcher.run(abort.signal);
    await clock.advance(0);
    const online = guests.filter((g) => g.node !== offline);
    await eventually(() => expect(fetched).toBe(online.length));
    expect(changed).toBeGreaterThan(0);
    for (const guest of online) expect(fetcher.details(guest.key)).toBeDefined();
    for (const guest of guests.filter((g) => g.node === offline))
      expect(fetcher.details(guest.key)).toBeUndefined();
    abort.abort();
    await run;
  });

  it("keeps the objects it holds when a refresh finds the same details, and shares the state's", async () => {
    const clock = new FakeClock();
    const guest = runningGuests().find((g) => g.type === 'qemu')!;
    let changed = 0;
    const fetcher = new DetailFetcher({
      client,
      refreshIntervalMs: 60_000,
      onChanged: () => changed++,
      clock,
      logger: testLogger(),
    });
    fetcher.setOnlineNodes(sim.control.nodes().map((n) => n.name));
    fetcher.track([guest]);
    const abort = new AbortController();
    const run = fetcher.run(abort.signal);
    await clock.advance(0);
    await eventually(() => expect(changed).toBe(1));
    const first = fetcher.details(guest.key)!;
    const addresses = first.ipAddresses;
    expect(unpackIpAddresses(addresses).length).toBeGreaterThan(0);

    // The sync writes the details into the guest's state (its list packed anew, equal).
    const written: GuestState = {
      ...guest,
      ipAddresses: packIpAddresses(unpackIpAddresses(addresses)),
    };
    fetcher.changed(guest, written);
    expect(fetcher.details(guest.key)!.ipAddresses).toBe(written.ipAddresses);

    // A refresh that finds the same details changes nothing: no call back, the same objects.
    await clock.advance(60_000);
    await eventually(() => expect(fetcher.inFlight).toBe(0), { intervalMs: 5 });
    await clock.advance(60_000);
    await eventually(() => expect(fetcher.inFlight).toBe(0), { intervalMs: 5 });
    expect(changed).toBe(1);
    expect(fetcher.details(guest.key)!.ipAddresses).toBe(written.ipAddresses);
    abort.abort();
    await run;
  });

  it('forgets a guest that is no longer listed: its details and its scheduled fetch', async () => {
    const clock = new FakeClock();
    const [kept, gone] = runningGuests();
    let fetched = 0;
    const fetcher = new DetailFetcher({
      client,
      refreshIntervalMs: 60_000,
      onChanged: () => {},
      initial: [
        [kept!.key, { description: 'kept', agentEnabled: null, ipAddresses: NO_IP_ADDRESSES }],
        [gone!.key, { description: 'gone', agentEnabled: null, ipAddresses: NO_IP_ADDRESSES }],
        // Stored details of a guest that is never listed again are dropped at the first track.
        ['qemu/999999', { description: 'stale', agentEnabled: null, ipAddresses: NO_IP_ADDRESSES }],
      ],
      clock,
      logger: testLogger(),
      onFetch: () => fetched++,
    });
    expect(fetcher.details('qemu/999999')?.description).toBe('stale');
    fetcher.setOnlineNodes(sim.control.nodes().map((n) => n.name));
    fetcher.track([kept!, gone!]);
    fetcher.track([kept!]);
    expect(fetcher.details(gone!.key)).toBeUndefined();
    expect(fetcher.details('qemu/999999')).toBeUndefined();
    expect(fetcher.details(kept!.key)?.description).toBe('kept');

    const abort = new AbortController();
    const run = fetcher.run(abort.signal);
    for (let t = 0; t < 60_000; t += 5000) {
      await clock.advance(5000);
      await eventually(() => expect(fetcher.inFlight).toBe(0), { intervalMs: 5 });
    }
    expect(fetched).toBe(1); // the kept guest's refresh only
    abort.abort();
    await run;
  });

  it('fetches a changed guest at once even when its refresh was scheduled later', async () => {
    const clock = new FakeClock();
    const guest = runningGuests()[0]!;
    const reasons: string[] = [];
    const fetcher = new DetailFetcher({
      client,
      refreshIntervalMs: 600_000,
      onChanged: () => {},
      initial: [
        [guest.key, { description: null, agentEnabled: null, ipAddresses: NO_IP_ADDRESSES }],
      ],
      clock,
      logger: testLogger(),
      onFetch: (_outcome, reason) => reasons.push(reason),
    });
    fetcher.setOnlineNodes(sim.control.nodes().map((n) => n.name));
    fetcher.track([guest]);
    const abort = new AbortController();
    const run = fetcher.run(abort.signal);
    await clock.advance(0);
    expect(reasons).toEqual([]);
    fetcher.changed(guest, { ...guest, name: `${guest.name}-renamed` });
    await clock.advance(0);
    await eventually(() => expect(reasons).toEqual(['changed']));
    abort.abort();
    await run;
  });

  it('asks an agent that does not answer again less and less often, not all such guests at once', async () => {
    const clock = new FakeClock();
    const guests = runningGuests()
      .filter((g) => g.type === 'qemu')
      .slice(0, 8);
    expect(guests).toHaveLength(8);
    for (const g of guests) sim.control.setAgent(g.vmid, { configured: '1', running: false });
    const fetches: { at: number; outcome: string; reason: string }[] = [];
    const interval = 600_000;
    const fetcher = new DetailFetcher({
      client,
      refreshIntervalMs: interval,
      retryMs: 60_000,
      onChanged: () => {},
      clock,
      logger: testLogger(),
      onFetch: (outcome, reason) => fetches.push({ at: clock.now(), outcome, reason }),
    });
    fetcher.setOnlineNodes(sim.control.nodes().map((n) => n.name));
    const abort = new AbortController();
    const run = fetcher.run(abort.signal);
    const start = clock.now();
    const advanceTo = async (ms: number) => {
      while (clock.now() - start < ms) {
        await clock.advance(5000);
        await eventually(() => expect(fetcher.inFlight).toBe(0), { intervalMs: 5 });
      }
    };
    try {
      fetcher.track(guests);
      await advanceTo(interval);
      // Asked at once, then after 60–90 s, 120–180 s more, 240–360 s more: 3 or 4 times in the
      // first interval (every minute, it would be 10 times).
      expect(fetches.every((f) => f.outcome === 'unavailable')).toBe(true);
      expect(fetches.length).toBeGreaterThanOrEqual(3 * guests.length);
      expect(fetches.length).toBeLessThanOrEqual(4 * guests.length);
      // The guests failed together, but their first retries are spread over half a minute.
      const firstRetries = fetches.filter((f) => f.reason === 'retry').slice(0, guests.length);
      const ats = firstRetries.map((f) => f.at - start);
      expect(Math.min(...ats)).toBeGreaterThanOrEqual(60_000);
      expect(Math.max(...ats) - Math.min(...ats)).toBeGreaterThanOrEqual(10_000);
      // Once the agents answer, the guests go back to one refresh per interval.
      for (const g of guests) sim.control.setAgent(g.vmid, { running: true });
      const answeredFrom = fetches.length;
      await advanceTo(2 * interval);
      const later = fetches.slice(answeredFrom);
      expect(later.filter((f) => f.outcome === 'ok')).toHaveLength(guests.length);
      expect(later.filter((f) => f.outcome !== 'ok')).toEqual([]);
    } finally {
      abort.abort();
      await run;
      for (const g of guests) sim.control.setAgent(g.vmid, { running: true });
    }
  });
});
