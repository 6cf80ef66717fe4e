import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSecret } from '../support/capture.js';
import { gql } from '../support/graphql-client.js';
import { seedInventory } from '../support/inventory-fixture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ListVmKeys } from './inventory-operations.js';
import { CreateCluster, ListClusters, SetClusterEnabled } from './operations.js';

let app: TestApp;
let clusterId: string;

beforeAll(async () => {
  app = await startTestApp({ env: { PVESPHERE_RESPONSE_CACHE_TTL: '10s' } });
  const seeded = await seedInventory(app.db, {
    clusters: 1,
    nodes: 2,
    guests: 10,
    prefix: 'cache',
  });
  clusterId = String(seeded.clusterIds[0]);
});

afterAll(async () => {
  await app?.stop();
});

async function cacheCounts(): Promise<{ hit: number; miss: number; uncacheable: number }> {
  const text = await (await fetch(`${app.origin}/metrics`)).text();
  const read = (outcome: string) =>
    Number(
      new RegExp(`pvesphere_graphql_response_cache_total\\{outcome="${outcome}"\\} (\\d+)`).exec(
        text,
      )?.[1] ?? 0,
    );
  return { hit: read('hit'), miss: read('miss'), uncacheable: read('uncacheable') };
}

async function delta(fn: () => Promise<unknown>) {
  const before = await cacheCounts();
  await fn();
  const after = await cacheCounts();
  return {
    hit: after.hit - before.hit,
    miss: after.miss - before.miss,
    uncacheable: after.uncacheable - before.uncacheable,
  };
}

const vms = () => gql(app.url, ListVmKeys, { filter: { clusterId }, first: 5 });

describe('the response cache', () => {
  it('answers a repeated inventory query from memory, identically', async () => {
    let first: Awaited<ReturnType<typeof vms>> | undefined;
    let second: typeof first;
    expect(
      await delta(async () => {
        first = await vms();
        second = await vms();
      }),
    ).toEqual({ hit: 1, miss: 1, uncacheable: 0 });
    expect(second).toEqual(first);
    expect(first!.data!.vms.edges).toHaveLength(5);
  });

  it('never serves an answer older than a change this process saw', async () => {
    await vms();
    // A cluster edit (a mutation here; the sync's status writes alike) makes it stale.
    const created = await gql(app.url, CreateCluster, {
      input: {
        name: 'cache-edit',
        apiUrl: 'https://pve.example.com:8006',
        tokenId: 'a@pve!tk',
        tokenSecret: registerSecret('secret-cache-edit-0123456789'),
      },
    });
    expect(await delta(vms)).toEqual({ hit: 0, miss: 1, uncacheable: 0 });
    // So does an inventory event delivered by the bus.
    app.services.bus.publish([
      {
        sequence: '999999',
        at: new Date().toISOString(),
        clusterId: Number(clusterId),
        kind: 'vm',
        type: 'UPDATED',
        objectKey: 'qemu/1',
        node: 'n',
        previousNode: null,
        vmid: 1,
        payload: {} as never,
        previous: null,
        changedFields: [],
      },
    ]);
    expect(await delta(vms)).toEqual({ hit: 0, miss: 1, uncacheable: 0 });
    expect(await delta(vms)).toEqual({ hit: 1, miss: 0, uncacheable: 0 });
    expect(created.errors).toBeUndefined();
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
