import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListVmKeysQuery, ListVmKeysQueryVariables, VmFilter } from '../generated/graphql.js';
import { errorCodes, type GraphQLResponse, gql } from '../support/graphql-client.js';
import { deleteVms, insertVm, seedInventory } from '../support/inventory-fixture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { GetVm, ListVmKeys, ListVms } from './inventory-operations.js';

let app: TestApp;
let clusterA: number;
let clusterB: number;

/** Guests per cluster in the fixture. */
const GUESTS = 120;

beforeAll(async () => {
  app = await startTestApp({ env: { PVESPHERE_SYNC: 'false' } });
  const seeded = await seedInventory(app.db, { clusters: 2, nodes: 3, guests: GUESTS });
  [clusterA, clusterB] = seeded.clusterIds as [number, number];
});

afterAll(async () => {
  await app?.stop();
});

/** The vmids the database holds for a WHERE clause, in vmid order: the oracle for filters. */
async function vmidsWhere(where: string, params: unknown[] = []): Promise<string[]> {
  const rows = await app.db.query<{ cluster_id: number; vmid: number }>(
    `select cluster_id, vmid from pve_vm where ${where} order by cluster_id, vmid`,
    params,
  );
  return rows.map((row) => `${row.cluster_id}/${row.vmid}`);
}

function keysOf(res: GraphQLResponse<ListVmKeysQuery>): string[] {
  return res.data!.vms.edges.map((e) => `${e.node.clusterId}/${e.node.vmid}`);
}

function listKeys(variables: ListVmKeysQueryVariables): Promise<GraphQLResponse<ListVmKeysQuery>> {
  return gql(app.url, ListVmKeys, variables);
}

describe('vms: the guest record', () => {
  it('renders every field of a guest from the database row, addresses included', async () => {
    const res = await gql(app.url, GetVm, { clusterId: String(clusterA), vmid: 100 });
    expect(res.errors).toBeUndefined();
    const [row] = await app.db.query<{ id: number }>(
      'select id from pve_vm where cluster_id = $1 and vmid = 100',
      [clusterA],
    );
    expect(res.data!.vm).toMatchObject({
      id: String(row!.id),
      clusterId: String(clusterA),
      vmid: 100,
      type: 'QEMU',
      node: 'pve1',
      name: 'web-0000',
      status: 'running',
      template: false,
      cpus: 2,
      maxMem: 2 * 1024 ** 3,
      maxDisk: 32 * 1024 ** 3,
      tags: ['prod', 'backup'],
      lock: null,
      hastate: 'started',
      pool: 'production',
      description: `Guest 100 of cluster ${clusterA}`,
      agentEnabled: true,
      cpuUsage: 0.05,
      uptime: 3600,
      pveNode: { name: 'pve1', status: 'online' },
      cluster: { id: String(clusterA), name: 'fixture-1' },
    });
    expect(res.data!.vm!.lastSyncedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(res.data!.vm!.ipAddresses).toEqual([
      {
        nicName: 'eth0',
        macAddress: expect.stringMatching(/^BC:24:11:[0-9A-F]{2}:00:64$/),
        ipAddress: '10.1.0.2',
        ipVersion: 4,
        prefixLength: 24,
        configNic: 'net0',
      },
      {
        nicName: 'eth0',
        macAddress: expect.stringMatching(/^BC:24:11:/),
        ipAddress: 'fd00:1::64',
        ipVersion: 6,
        prefixLength: 64,
        configNic: 'net0',
      },
    ]);
  });

  it('reports an LXC container, a template and a guest on an offline node as they are', async () => {
    const lxc = await gql(app.url, GetVm, { clusterId: String(clusterA), vmid: 104 });
    expect(lxc.data!.vm).toMatchObject({ type: 'LXC', name: 'ct-db-0004', agentEnabled: null });
    const template = await gql(app.url, GetVm, { clusterId: String(clusterA), vmid: 149 });
    expect(template.data!.vm).toMatchObject({ template: true, status: 'stopped', ipAddresses: [] });
    // i = 2 → pve3, the offline node of the fixture
    const offline = await gql(app.url, GetVm, { clusterId: String(clusterA), vmid: 102 });
    expect(offline.data!.vm).toMatchObject({
      node: 'pve3',
      status: 'unknown',
      pveNode: { status: 'offline' },
    });
  });

  it('answers null for a guest that does not exist, and BAD_USER_INPUT for a bad cluster id', async () => {
    const missing = await gql(app.url, GetVm, { clusterId: String(clusterA), vmid: 99_999 });
    expect(missing.errors).toBeUndefined();
    expect(missing.data!.vm).toBeNull();
    const bad = await gql(app.url, GetVm, { clusterId: 'one', vmid: 100 });
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors![0]!.extensions!.field).toBe('clusterId');
  });
});

describe('vms: order, pages and totalCount', () => {
  it('lists every guest of every cluster in (cluster id, vmid) order, 50 by default', async () => {
    const res = await listKeys({});
    expect(res.errors).toBeUndefined();
    const all = await vmidsWhere('true');
    expect(res.data!.vms.totalCount).toBe(2 * GUESTS);
    expect(keysOf(res)).toEqual(all.slice(0, 50));
    expect(res.data!.vms.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('walks all pages with after: each guest exactly once, in order', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res = await listKeys({ first: 37, after });
      expect(res.errors).toBeUndefined();
      const page = res.data!.vms;
      seen.push(...keysOf(res));
      expect(page.pageInfo.hasPreviousPage).toBe(pages > 0);
      expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(Math.ceil((2 * GUESTS) / 37));
    expect(seen).toEqual(await vmidsWhere('true'));
  });

  it('first: 0 returns no edges but tells whether rows exist', async () => {
    const res = await listKeys({ first: 0, filter: { clusterId: String(clusterA) } });
    expect(res.data!.vms.edges).toEqual([]);
    expect(res.data!.vms.pageInfo).toMatchObject({
      hasNextPage: true,
      startCursor: null,
      endCursor: null,
    });
    expect(res.data!.vms.totalCount).toBe(GUESTS);
    const none = await listKeys({ first: 0, filter: { clusterId: '999999' } });
    expect(none.data!.vms.pageInfo.hasNextPage).toBe(false);
    expect(none.data!.vms.totalCount).toBe(0);
  });

  it('refuses first below 0 or above 500 with BAD_USER_INPUT naming first', async () => {
    for (const first of [-1, 501, 100_000]) {
      const res = await listKeys({ first });
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0]!.extensions!.field).toBe('first');
      expect(res.data).toBeNull();
    }
    const max = await listKeys({ first: 500 });
    expect(max.errors).toBeUndefined();
    expect(max.data!.vms.edges).toHaveLength(2 * GUESTS);
  });

  it('refuses a malformed cursor, or a cursor of another list, with BAD_USER_INPUT naming after', async () => {
    const nodeCursor = Buffer.from(JSON.stringify(['pve_node', clusterA, 'pve1'])).toString(
      'base64url',
    );
    const wrongShape = Buffer.from(JSON.stringify(['pve_vm', clusterA])).toString('base64url');
    const notInt = Buffer.from(JSON.stringify(['pve_vm', clusterA, '100'])).toString('base64url');
    const huge = Buffer.from(JSON.stringify(['pve_vm', clusterA, 2 ** 40])).toString('base64url');
    for (const after of ['not a cursor', '', '!!!', 'e30', nodeCursor, wrongShape, notInt, huge]) {
      const res = await listKeys({ after });
      expect(errorCodes(res), after).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0]!.extensions!.field).toBe('after');
    }
  });

  it('keeps a page boundary through inserts and deletes before and after the cursor', async () => {
    const filter = { clusterId: String(clusterB) };
    const first = await listKeys({ filter, first: 10 });
    const firstPage = keysOf(first);
    const cursor = first.data!.vms.pageInfo.endCursor!;
    // Before the second fetch: new guests before the cursor (vmid 1–5 and between existing
    // ones), the cursor's own guest deleted, and a guest after the cursor deleted.
    const lastOfPage = first.data!.vms.edges.at(-1)!.node.vmid;
    for (const vmid of [1, 2, 3, 4, 5]) await insertVm(app.db, { clusterId: clusterB, vmid });
    await deleteVms(app.db, clusterB, [lastOfPage, lastOfPage + 2]);
    const second = await listKeys({ filter, first: 10, after: cursor });
    const secondPage = keysOf(second);
    expect(secondPage.filter((key) => firstPage.includes(key))).toEqual([]);
    const expected = (
      await vmidsWhere('cluster_id = $1 and vmid > $2', [clusterB, lastOfPage])
    ).slice(0, 10);
    expect(secondPage).toEqual(expected);
    // the cursor's own row is gone, yet rows before it exist: hasPreviousPage stays true
    expect(second.data!.vms.pageInfo.hasPreviousPage).toBe(true);
    await deleteVms(app.db, clusterB, [1, 2, 3, 4, 5]);
  });
});

describe('vms: filters', () => {
  const cases: [string, Record<string, unknown>, string, unknown[]][] = [
    ['clusterId', { clusterId: 'B' }, 'cluster_id = $1', ['B']],
    ['node', { node: 'pve2' }, "node_name = 'pve2'", []],
    ['status', { status: 'stopped' }, "status = 'stopped'", []],
    ['statusIn', { statusIn: ['stopped', 'unknown'] }, "status in ('stopped', 'unknown')", []],
    ['type', { type: 'LXC' }, "type = 'lxc'", []],
    ['template: true', { template: true }, 'is_template = 1', []],
    ['template: false', { template: false }, 'is_template = 0', []],
    ['nameContains (any case)', { nameContains: 'CT-DB' }, "vm_name ilike '%ct-db%'", []],
    ['tag', { tag: 'backup' }, "'backup' = any(tags)", []],
    ['vmids', { vmids: [100, 150, 219, 5000] }, 'vmid in (100, 150, 219, 5000)', []],
    ['pool', { pool: 'production' }, "pool = 'production'", []],
    [
      'several fields at once',
      { clusterId: 'A', status: 'running', tag: 'db', type: 'QEMU' },
      "cluster_id = $1 and status = 'running' and 'db' = any(tags) and type = 'qemu'",
      ['A'],
    ],
  ];

  it.each(cases)('%s selects exactly the matching guests', async (_name, filter, where, params) => {
    const ids = { A: clusterA, B: clusterB };
    const resolved = Object.fromEntries(
      Object.entries(filter).map(([k, v]) => [k, v === 'A' || v === 'B' ? String(ids[v]) : v]),
    );
    const res = await listKeys({ filter: resolved as VmFilter, first: 500 });
    expect(res.errors).toBeUndefined();
    const expected = await vmidsWhere(
      where,
      params.map((p) => ids[p as 'A' | 'B']),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(2 * GUESTS);
    expect(keysOf(res)).toEqual(expected);
    expect(res.data!.vms.totalCount).toBe(expected.length);
  });

  it('nameContains matches LIKE wildcards and backslashes literally', async () => {
    const names = ['50%_off', '50x_off', '50%xoff', 'back\\slash', 'backslash'];
    const vmids = [9001, 9002, 9003, 9004, 9005];
    for (const [i, name] of names.entries()) {
      await insertVm(app.db, { clusterId: clusterA, vmid: vmids[i]!, name });
    }
    const search = async (nameContains: string) =>
      (
        await listKeys({ filter: { nameContains, clusterId: String(clusterA) } })
      ).data!.vms.edges.map((e) => e.node.name);
    expect(await search('%_')).toEqual(['50%_off']);
    expect(await search('_OFF')).toEqual(['50%_off', '50x_off']);
    expect(await search('%')).toEqual(['50%_off', '50%xoff']);
    expect(await search('k\\s')).toEqual(['back\\slash']);
    await deleteVms(app.db, clusterA, vmids);
  });

  it('returns an empty connection for a cluster that does not exist', async () => {
    const res = await listKeys({ filter: { clusterId: '424242' } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.vms).toMatchObject({ totalCount: 0, edges: [] });
  });

  it('refuses bad filter values with BAD_USER_INPUT naming the field', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ clusterId: 'abc' }, 'filter.clusterId'],
      [{ clusterId: '-1' }, 'filter.clusterId'],
      [{ clusterId: '99999999999' }, 'filter.clusterId'],
      [{ nameContains: 'a\u0000b' }, 'filter.nameContains'],
      [{ tag: 'x'.repeat(256) }, 'filter.tag'],
      [{ vmids: Array.from({ length: 1001 }, (_, i) => i) }, 'filter.vmids'],
    ];
    for (const [filter, field] of bad) {
      const res = await listKeys({ filter: filter as VmFilter });
      expect(errorCodes(res), field).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0]!.extensions!.field).toBe(field);
    }
  });

  it('serves ipAddresses for a whole page', async () => {
    const res = await gql(app.url, ListVms, {
      filter: { clusterId: String(clusterA), status: 'running' },
      first: 20,
    });
    const rows = await app.db.query<{ vmid: number; n: string }>(
      `select v.vmid, count(a.id) as n from pve_vm v left join vm_ipaddress a on a.vm_id = v.id
       where v.cluster_id = $1 and v.status = 'running' group by v.vmid order by v.vmid limit 20`,
      [clusterA],
    );
    expect(res.data!.vms.edges.map((e) => [e.node.vmid, e.node.ipAddresses.length])).toEqual(
      rows.map((row) => [row.vmid, Number(row.n)]),
    );
    expect(rows.some((row) => Number(row.n) === 2)).toBe(true);
  });
});
