import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryEvent } from '../../src/events/inventory-change.js';
import { gql } from '../support/graphql-client.js';
import { seedInventory } from '../support/inventory-fixture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Dashboard, ListVmKeys } from './inventory-operations.js';
import { DeleteCluster, ListClusters, SetClusterEnabled, UpdateCluster } from './operations.js';

let app: TestApp;
let clusterA: string;
let clusterB: string;
let clusterC: string;

/** startCachingApp starts an app with this response-cache time limit and seeds its inventory. */
async function startCachingApp(
  ttl: string,
  seed: { clusters: number; guests: number; prefix: string },
): Promise<{ app: TestApp; clusterIds: string[] }> {
  const started = await startTestApp({ env: { PVESPHERE_RESPONSE_CACHE_TTL: ttl } });
  const seeded = await seedInventory(started.db, { nodes: 2, ...seed });
  return { app: started, clusterIds: seeded.clusterIds.map(String) };
}

beforeAll(async () => {
  let clusterIds: string[];
  ({ app, clusterIds } = await startCachingApp('10s', {
    clusters: 3,
    guests: 10,
    prefix: 'cache',
  }));
  [clusterA, clusterB, clusterC] = clusterIds as [string, string, string];
});

afterAll(async () => {
  await app?.stop();
});

/** The response cache counters of an app's /metrics, by outcome. */
async function cacheCounts(origin = app.origin): Promise<Record<string, number>> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const counts: Record<string, number> = { hit: 0, miss: 0, uncacheable: 0 };
  for (const [, outcome, count] of text.matchAll(
    /pvesphere_graphql_response_cache_total\{outcome="(\w+)"\} (\d+)/g,
  )) {
    counts[outcome!] = Number(count);
  }
  return counts;
}

/** How `fn` hit the cache: the change of each post counter. */
async function delta(fn: () => Promise<unknown>) {
  const before = await cacheCounts();
  await fn();
  const after = await cacheCounts();
  return {
    hit: after.hit! - before.hit!,
    miss: after.miss! - before.miss!,
    uncacheable: after.uncacheable! - before.uncacheable!,
  };
}

const HIT = { hit: 1, miss: 0, uncacheable: 0 };
const MISS = { hit: 0, miss: 1, uncacheable: 0 };

/** A page of one cluster's guests without usage fields or cluster rows. */
const keys = (clusterId: string) => gql(app.url, ListVmKeys, { filter: { clusterId }, first: 5 });
/** Every cluster's guests. */
const allKeys = () => gql(app.url, ListVmKeys, { first: 5 });

/** A raw query (for shapes the generated operations do not have). */
async function post(query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: unknown; errors?: unknown[] };
}
const WITH_USAGE = `query ($id: ID) { vms(filter: { clusterId: $id }, first: 3) { edges { node { vmid cpuUsage } } } }`;

function vmEvent(clusterId: string): InventoryEvent {
  return {
    sequence: String(900_000 + Math.floor(Math.random() * 1000)),
    at: new Date().toISOString(),
    clusterId: Number(clusterId),
    kind: 'vm',
    type: 'UPDATED',
    objectKey: 'qemu/100',
    node: 'pve1',
    previousNode: null,
    vmid: 100,
    payload: {} as never,
    previous: null,
    changedFields: [],
  } as InventoryEvent;
}

describe('the response cache', () => {
  it('answers a repeated inventory query from memory, identically', async () => {
    let first: Awaited<ReturnType<typeof keys>> | undefined;
    let second: typeof first;
    expect(
      await delta(async () => {
        first = await keys(clusterA);
        second = await keys(clusterA);
      }),
    ).toEqual({ hit: 1, miss: 1, uncacheable: 0 });
    expect(second).toEqual(first);
    expect(first!.data!.vms.edges).toHaveLength(5);
  });

  it('never serves an answer older than an event of a cluster it reads; other clusters keep theirs', async () => {
    await keys(clusterA);
    await keys(clusterB);
    await allKeys();
    app.services.bus.publish([vmEvent(clusterA)]);
    expect(await delta(() => keys(clusterA))).toEqual(MISS);
    expect(await delta(allKeys)).toEqual(MISS);
    expect(await delta(() => keys(clusterB))).toEqual(HIT);
    expect(await delta(() => keys(clusterA))).toEqual(HIT);
  });

  it('a cluster write stales the answers that read cluster rows only', async () => {
    await keys(clusterA);
    const dashboard = () => gql(app.url, Dashboard, { filter: { clusterId: clusterA }, first: 3 });
    const before = await dashboard();
    expect(before.data!.vms.edges[0]!.node.cluster!.name).toBe('cache-1');
    const updated = await gql(app.url, UpdateCluster, {
      id: clusterA,
      input: { alias: 'renamed by the cache test' },
    });
    expect(updated.errors).toBeUndefined();
    expect(await delta(() => keys(clusterA))).toEqual(HIT);
    let after: Awaited<ReturnType<typeof dashboard>> | undefined;
    expect(
      await delta(async () => {
        after = await dashboard();
      }),
    ).toEqual(MISS);
    expect(after!.data!.vms.edges[0]!.node.cluster).toEqual(
      before.data!.vms.edges[0]!.node.cluster,
    );
  });

  it('deleting a cluster stales the answers that read its inventory', async () => {
    const before = await keys(clusterC);
    expect(before.data!.vms.totalCount).toBe(10);
    await keys(clusterB);
    expect((await gql(app.url, DeleteCluster, { id: clusterC })).errors).toBeUndefined();
    let after: Awaited<ReturnType<typeof keys>> | undefined;
    expect(
      await delta(async () => {
        after = await keys(clusterC);
      }),
    ).toEqual(MISS);
    expect(after!.data!.vms.totalCount).toBe(0);
    expect(await delta(() => keys(clusterB))).toEqual(HIT);
  });

  it('caches queries with usage fields per cluster too', async () => {
    await post(WITH_USAGE, { id: clusterB });
    expect(await delta(() => post(WITH_USAGE, { id: clusterB }))).toEqual(HIT);
    app.services.bus.publish([vmEvent(clusterA)]);
    expect(await delta(() => post(WITH_USAGE, { id: clusterB }))).toEqual(HIT);
    app.services.bus.publish([vmEvent(clusterB)]);
    expect(await delta(() => post(WITH_USAGE, { id: clusterB }))).toEqual(MISS);
  });

  it('answers many identical requests at once with one execution', async () => {
    const query = `{ vms(filter: { clusterId: "${clusterB}", status: "running" }, first: 4) { edges { node { vmid } } } }`;
    let answers: unknown[] = [];
    expect(
      await delta(async () => {
        answers = await Promise.all(Array.from({ length: 10 }, () => post(query)));
      }),
    ).toEqual({ hit: 9, miss: 1, uncacheable: 0 });
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
  });

  it('never caches the cluster list (edited by SQL too), mutations or errors', async () => {
    expect(
      await delta(async () => {
        await gql(app.url, ListClusters);
        await gql(app.url, ListClusters);
        await gql(app.url, SetClusterEnabled, { id: '999999', enabled: true });
        await gql(app.url, ListVmKeys, { filter: { clusterId: 'not-a-number' } });
      }),
    ).toEqual({ hit: 0, miss: 0, uncacheable: 4 });
  });
});

describe('the response cache, refreshing ahead', () => {
  let fast: TestApp;
  let clusterId: string;
  const page = () => gql(fast.url, ListVmKeys, { filter: { clusterId }, first: 4 });

  beforeAll(async () => {
    let clusterIds: string[];
    ({ app: fast, clusterIds } = await startCachingApp('1s', {
      clusters: 1,
      guests: 6,
      prefix: 'ahead',
    }));
    clusterId = clusterIds[0]!;
  });

  afterAll(async () => {
    await fast?.stop();
  });

  it('never lets a page that keeps being asked for expire under its readers', async () => {
    const before = await cacheCounts(fast.origin);
    const first = await page();
    const startedAt = Date.now();
    // Asked every 30 ms for four time limits: past its refresh point (70–90 % of 1 s) a request
    // is served from memory and refreshes the answer in the background. Without refreshing,
    // the page would be computed at least four times.
    while (Date.now() - startedAt < 4000) {
      expect(await page()).toEqual(first);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const after = await cacheCounts(fast.origin);
    // One more computation is tolerated: a loaded machine can leave no request between a
    // refresh point and the time limit.
    expect(after.miss! - before.miss!).toBeLessThanOrEqual(2);
    expect(after.uncacheable! - before.uncacheable!).toBe(0);
    expect(after.refreshed! - (before.refreshed ?? 0)).toBeGreaterThanOrEqual(2);
    expect(after.hit! - before.hit!).toBeGreaterThan(60);
  });

  it('still lets a change stale the answer at once, refreshed or not', async () => {
    await page();
    fast.services.bus.publish([vmEvent(clusterId)]);
    const before = await cacheCounts(fast.origin);
    await page();
    const after = await cacheCounts(fast.origin);
    expect(after.miss! - before.miss!).toBe(1);
  });
});
