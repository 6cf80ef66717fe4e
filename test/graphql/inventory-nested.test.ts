import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorCodes, gql } from '../support/graphql-client.js';
import { seedInventory } from '../support/inventory-fixture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  ClusterInventory,
  Dashboard,
  ListVms,
  NestedAbuse,
  NodeInventory,
  VmCountInFragment,
  VmPageOnly,
} from './inventory-operations.js';

let app: TestApp;
let clusterIds: number[];

beforeAll(async () => {
  // PVESPHERE_SYNC=false: nothing but these tests' requests touches the database. No response
  // cache: these tests count the statements each request sends, and insert rows by SQL.
  app = await startTestApp({
    env: { PVESPHERE_SYNC: 'false', PVESPHERE_RESPONSE_CACHE_TTL: '0ms' },
  });
  ({ clusterIds } = await seedInventory(app.db, { clusters: 2, nodes: 3, guests: 60 }));
});

afterAll(async () => {
  await app?.stop();
});

/**
 * statementsOf runs `fn` and returns the text of every SQL statement any pg client of this
 * process sent meanwhile (the app's pool included: it runs in this process).
 */
async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
  const spy = vi.spyOn(pg.Client.prototype, 'query');
  try {
    await fn();
    return spy.mock.calls.map(([query]) =>
      typeof query === 'string' ? query : (query as { text: string }).text,
    );
  } finally {
    spy.mockRestore();
  }
}

describe('nested connections', () => {
  it("serves each cluster's own first page of guests, nodes and shared storages", async () => {
    const res = await gql(app.url, ClusterInventory, { first: 7, vmFilter: { status: 'running' } });
    expect(res.errors).toBeUndefined();
    for (const cluster of res.data!.clusters.filter((c) => clusterIds.includes(Number(c.id)))) {
      const running = await app.db.query<{ vmid: number; node_name: string }>(
        `select vmid, node_name from pve_vm where cluster_id = $1 and status = 'running'
         order by vmid`,
        [Number(cluster.id)],
      );
      expect(cluster.vms.totalCount).toBe(running.length);
      expect(cluster.vms.edges.map((e) => e.node.vmid)).toEqual(
        running.slice(0, 7).map((r) => r.vmid),
      );
      expect(cluster.vms.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      for (const { node } of cluster.vms.edges) {
        expect(node.cluster).toEqual({ id: cluster.id });
        expect(node.pveNode).toEqual({ name: node.node });
        expect(node.ipAddresses.length).toBeGreaterThan(0);
      }
      expect(cluster.nodes.totalCount).toBe(3);
      expect(cluster.nodes.edges.map((e) => e.node.name)).toEqual(['pve1', 'pve2', 'pve3']);
      expect(cluster.storages.totalCount).toBe(3);
      expect(cluster.storages.edges.map((e) => `${e.node.node}/${e.node.name}`)).toEqual([
        'pve1/ceph-pool',
        'pve2/ceph-pool',
        'pve3/ceph-pool',
      ]);
      expect(cluster.templates.map((t) => t.vmid)).toEqual([149]);
    }
  });

  it('continues a nested page from its cursor', async () => {
    const first = await gql(app.url, ClusterInventory, { first: 5 });
    const [a] = first.data!.clusters;
    const next = await gql(app.url, ClusterInventory, {
      first: 5,
      after: a!.vms.pageInfo.endCursor,
    });
    const [again] = next.data!.clusters;
    expect(again!.vms.edges.map((e) => e.node.vmid)).toEqual([105, 106, 107, 108, 109]);
    expect(again!.vms.pageInfo.hasPreviousPage).toBe(true);
  });

  it('counts each cluster’s inventory', async () => {
    const res = await gql(app.url, ClusterInventory, { first: 0 });
    const [row] = await app.db.query<Record<string, number>>(
      `select (select count(*) from pve_node where cluster_id = $1)::int as nodes,
         (select count(*) from pve_node where cluster_id = $1 and status = 'online')::int as "onlineNodes",
         (select count(*) from pve_vm where cluster_id = $1)::int as vms,
         (select count(*) from pve_vm where cluster_id = $1 and status = 'running')::int as "runningVms",
         (select count(*) from vm_template where cluster_id = $1)::int as templates,
         (select count(*) from pve_storage where cluster_id = $1)::int as storages`,
      [clusterIds[1]],
    );
    const counts = res.data!.clusters.find((c) => c.id === String(clusterIds[1]))!.counts;
    expect(counts).toEqual(row);
    expect(counts).toMatchObject({ nodes: 3, onlineNodes: 2, vms: 60, storages: 9 });
  });

  it("serves each node's guests and storages", async () => {
    const res = await gql(app.url, NodeInventory, { first: 6, vmFirst: 4 });
    expect(res.errors).toBeUndefined();
    for (const { node } of res.data!.nodes.edges) {
      const guests = await app.db.query<{ vmid: number }>(
        'select vmid from pve_vm where cluster_id = $1 and node_name = $2 order by vmid',
        [Number(node.clusterId), node.name],
      );
      expect(node.vms.totalCount).toBe(guests.length);
      expect(node.vms.edges.map((e) => e.node.vmid)).toEqual(guests.slice(0, 4).map((g) => g.vmid));
      expect(node.vms.edges.every((e) => e.node.node === node.name)).toBe(true);
      expect(node.storages.edges.map((e) => e.node.name)).toEqual(['ceph-pool', 'local-lvm']);
    }
  });
});

describe('no N+1 queries', () => {
  it('issues the same few statements for 2 clusters as for 6, with nested pages and lookups', async () => {
    const run = () => gql(app.url, ClusterInventory, { first: 20 });
    const nestedRun = () => gql(app.url, NodeInventory, { first: 50, vmFirst: 10 });
    const small = await statementsOf(run);
    const smallNested = await statementsOf(nestedRun);
    const before = (await run()).data!.clusters.length;

    await seedInventory(app.db, { clusters: 4, nodes: 5, guests: 80, prefix: 'more' });
    const after = (await run()).data!.clusters.length;
    expect(after).toBe(before + 4);
    const large = await statementsOf(run);
    const largeNested = await statementsOf(nestedRun);

    expect(large).toHaveLength(small.length);
    expect(largeNested).toHaveLength(smallNested.length);
    // clusters, counts, then one statement per connection (page + count + addresses), nodes by
    // name, clusters by id, templates
    expect(large.length).toBeLessThanOrEqual(8);
    // nodes page, then the guests and the storages of every node: one statement each
    expect(largeNested.length).toBeLessThanOrEqual(3);
  });
});

describe('statements per connection', () => {
  const filter = () => ({ clusterId: String(clusterIds[0]) });

  it('pages with one statement, counting only when totalCount is selected', async () => {
    const pageOnly = await statementsOf(() =>
      gql(app.url, VmPageOnly, { filter: filter(), first: 3 }),
    );
    expect(pageOnly).toHaveLength(1);
    expect(pageOnly[0]).not.toMatch(/count\(\*\)/);
    let total: number | undefined;
    const withCount = await statementsOf(async () => {
      total = (await gql(app.url, VmCountInFragment, { filter: filter() })).data!.vms.totalCount;
    });
    expect(withCount).toHaveLength(1);
    expect(withCount[0]).toMatch(/count\(\*\)/);
    expect(total).toBe(60);
  });

  it('carries the addresses and the count of a page of guests in the same statement', async () => {
    let edges = 0;
    const statements = await statementsOf(async () => {
      const res = await gql(app.url, ListVms, { filter: filter(), first: 100 });
      edges = res.data!.vms.edges.filter((e) => e.node.ipAddresses.length > 0).length;
      expect(res.data!.vms.totalCount).toBe(60);
    });
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/vm_ipaddress/);
    expect(edges).toBeGreaterThan(20);
  });
});

describe('query complexity', () => {
  it('lets a dashboard page of 500 guests with addresses, node and cluster through', async () => {
    const res = await gql(app.url, Dashboard, { first: 500 });
    expect(res.errors).toBeUndefined();
    expect(res.data!.vms.edges.length).toBeGreaterThan(100);
  });

  it('refuses 500 guests under each of 500 nodes with QUERY_TOO_COMPLEX before running it', async () => {
    const statements = await statementsOf(async () => {
      const res = await gql(app.url, NestedAbuse, {});
      expect(errorCodes(res)).toEqual(['QUERY_TOO_COMPLEX']);
    });
    expect(statements).toEqual([]);
  });
});
