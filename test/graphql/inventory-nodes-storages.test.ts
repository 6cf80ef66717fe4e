import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListNodesQuery, NodeFilter, StorageFilter } from '../generated/graphql.js';
import { errorCodes, type GraphQLResponse, gql } from '../support/graphql-client.js';
import { seedInventory } from '../support/inventory-fixture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ListNodes, ListStorages, ListTemplates } from './inventory-operations.js';

let app: TestApp;
let clusterA: number;
let clusterB: number;

beforeAll(async () => {
  app = await startTestApp({ env: { PVESPHERE_SYNC: 'false' } });
  const seeded = await seedInventory(app.db, { clusters: 2, nodes: 4, guests: 100 });
  [clusterA, clusterB] = seeded.clusterIds as [number, number];
  // Node names that sort differently as text than as numbers, and one with a dot.
  await app.db.query(
    `insert into pve_node (cluster_id, node_name, status, resource_hash)
     values ($1, 'pve10', 'online', 'x'), ($1, 'node.b', 'unknown', 'x')`,
    [clusterB],
  );
});

afterAll(async () => {
  await app?.stop();
});

async function nodeKeysWhere(where: string, params: unknown[] = []): Promise<string[]> {
  const rows = await app.db.query<{ cluster_id: number; node_name: string }>(
    `select cluster_id, node_name from pve_node where ${where} order by cluster_id, node_name`,
    params,
  );
  return rows.map((row) => `${row.cluster_id}/${row.node_name}`);
}

async function storageKeysWhere(where: string, params: unknown[] = []): Promise<string[]> {
  const rows = await app.db.query<{ cluster_id: number; node_name: string; storage_name: string }>(
    `select cluster_id, node_name, storage_name from pve_storage where ${where}
     order by cluster_id, node_name, storage_name`,
    params,
  );
  return rows.map((row) => `${row.cluster_id}/${row.node_name}/${row.storage_name}`);
}

describe('nodes', () => {
  it('renders a node from its row, with its cluster', async () => {
    const res = await gql(app.url, ListNodes, {
      filter: { clusterId: String(clusterA), name: 'pve2' },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.nodes.edges.map((e) => e.node)).toEqual([
      {
        id: expect.stringMatching(/^\d+$/),
        clusterId: String(clusterA),
        name: 'pve2',
        status: 'online',
        ipAddress: '10.1.255.2',
        level: 'c',
        maxCpu: 64,
        maxMem: 256 * 1024 ** 3,
        maxDisk: 100 * 1024 ** 3,
        cpuUsage: 0.25,
        memUsed: 64 * 1024 ** 3,
        diskUsed: 20 * 1024 ** 3,
        uptime: 2 * 86400,
        lastSyncedAt: expect.any(String),
        cluster: { id: String(clusterA), name: 'fixture-1' },
      },
    ]);
  });

  it('pages through every node in (cluster id, node name) order with text cursors', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: GraphQLResponse<ListNodesQuery> = await gql(app.url, ListNodes, {
        first: 3,
        after,
      });
      expect(res.errors).toBeUndefined();
      seen.push(...res.data!.nodes.edges.map((e) => `${e.node.clusterId}/${e.node.name}`));
      if (!res.data!.nodes.pageInfo.hasNextPage) break;
      after = res.data!.nodes.pageInfo.endCursor;
    }
    const all = await nodeKeysWhere('true');
    expect(all).toHaveLength(10);
    expect(seen).toEqual(all);
  });

  it.each<[string, NodeFilter, string]>([
    ['status', { status: 'offline' }, "status = 'offline'"],
    ['name', { name: 'pve10' }, "node_name = 'pve10'"],
    [
      'clusterId + status',
      { clusterId: 'B', status: 'online' },
      "status = 'online' and cluster_id = $1",
    ],
  ])('filters by %s', async (_name, filter, where) => {
    const resolved = filter.clusterId ? { ...filter, clusterId: String(clusterB) } : filter;
    const res = await gql(app.url, ListNodes, { filter: resolved });
    const expected = await nodeKeysWhere(where, filter.clusterId ? [clusterB] : []);
    expect(expected.length).toBeGreaterThan(0);
    expect(res.data!.nodes.edges.map((e) => `${e.node.clusterId}/${e.node.name}`)).toEqual(
      expected,
    );
    expect(res.data!.nodes.totalCount).toBe(expected.length);
  });

  it('refuses a vm cursor and a bad cluster id', async () => {
    const vmCursor = Buffer.from(JSON.stringify(['pve_vm', clusterA, 100])).toString('base64url');
    const res = await gql(app.url, ListNodes, { after: vmCursor });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.extensions!.field).toBe('after');
    const bad = await gql(app.url, ListNodes, { filter: { clusterId: '1.5' } });
    expect(bad.errors![0]!.extensions!.field).toBe('filter.clusterId');
  });
});

describe('storages', () => {
  it('renders a storage with its content list, node and cluster', async () => {
    const res = await gql(app.url, ListStorages, {
      filter: { clusterId: String(clusterA), node: 'pve1', name: 'local' },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.storages.edges.map((e) => e.node)).toEqual([
      {
        id: expect.stringMatching(/^\d+$/),
        clusterId: String(clusterA),
        node: 'pve1',
        name: 'local',
        type: 'dir',
        content: ['backup', 'iso', 'vztmpl'],
        status: 'available',
        active: true,
        enabled: true,
        shared: false,
        total: 100 * 1024 ** 3,
        used: 25 * 1024 ** 3,
        avail: 75 * 1024 ** 3,
        usedFraction: 0.25,
        lastSyncedAt: expect.any(String),
        pveNode: { name: 'pve1' },
        cluster: { id: String(clusterA) },
      },
    ]);
  });

  it('serves storage sizes beyond 32 bits as exact JSON numbers', async () => {
    const res = await gql(app.url, ListStorages, { filter: { name: 'ceph-pool' }, first: 1 });
    expect(res.data!.storages.edges[0]!.node.total).toBe(10_000 * 1024 ** 3);
  });

  it('pages in (cluster id, node name, storage name) order', async () => {
    const first = await gql(app.url, ListStorages, { first: 5 });
    const second = await gql(app.url, ListStorages, {
      first: 500,
      after: first.data!.storages.pageInfo.endCursor,
    });
    const keys = [...first.data!.storages.edges, ...second.data!.storages.edges].map(
      (e) => `${e.node.clusterId}/${e.node.node}/${e.node.name}`,
    );
    expect(keys).toEqual(await storageKeysWhere('true'));
    expect(second.data!.storages.pageInfo.hasNextPage).toBe(false);
  });

  it.each<[string, StorageFilter, string]>([
    ['shared', { shared: true }, 'shared = 1'],
    ['not shared', { shared: false }, 'shared = 0'],
    ['type', { type: 'lvmthin' }, "type = 'lvmthin'"],
    ['content', { content: 'iso' }, "content like '%iso%'"],
    [
      'node + content',
      { node: 'pve3', content: 'images' },
      "node_name = 'pve3' and content like '%images%'",
    ],
  ])('filters by %s', async (_name, filter, where) => {
    const res = await gql(app.url, ListStorages, { filter, first: 500 });
    const expected = await storageKeysWhere(where);
    expect(expected.length).toBeGreaterThan(0);
    expect(
      res.data!.storages.edges.map((e) => `${e.node.clusterId}/${e.node.node}/${e.node.name}`),
    ).toEqual(expected);
    expect(res.data!.storages.totalCount).toBe(expected.length);
  });
});

describe('templates', () => {
  it('lists the catalogue of one cluster with the guest each template is', async () => {
    const res = await gql(app.url, ListTemplates, { clusterId: String(clusterA) });
    expect(res.errors).toBeUndefined();
    // the fixture makes i % 50 = 49 a template: vmids 149 and 199 of 100 guests
    const expected = [
      { vmid: 149, name: 'ct-db-0049', node: 'pve2' },
      { vmid: 199, name: 'ct-web-0099', node: 'pve4' },
    ];
    expect(res.data!.templates).toEqual(
      expected.map(({ vmid, name, node }) => ({
        id: expect.stringMatching(/^\d+$/),
        clusterId: String(clusterA),
        vmid,
        name,
        node,
        type: 'LXC',
        description: `Template ${name}`,
        vm: { vmid, template: true, status: 'stopped' },
        cluster: { id: String(clusterA) },
      })),
    );
  });

  it('lists every cluster’s templates without clusterId, and refuses a bad one', async () => {
    const all = await gql(app.url, ListTemplates, {});
    expect(all.data!.templates.map((t) => `${t.clusterId}/${t.vmid}`)).toEqual([
      `${clusterA}/149`,
      `${clusterA}/199`,
      `${clusterB}/149`,
      `${clusterB}/199`,
    ]);
    const bad = await gql(app.url, ListTemplates, { clusterId: 'x' });
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
  });
});
