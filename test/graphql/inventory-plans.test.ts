import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_BY_CLUSTER, InventoryQueries } from '../../src/db/inventory-queries.js';
import { seedInventory } from '../support/inventory-fixture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The query plans of the read side over 10,000 guests (10 clusters × 1,000, as the benchmark's
// large scenario): pages walk the (cluster_id, vmid) unique index and stop after first + 1
// rows; counts read one cluster's rows through an index, never the whole table.

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}

let app: TestApp;
let inventory: InventoryQueries;
let clusterIds: number[];
let captured: { text: string; values: readonly unknown[] }[] = [];

beforeAll(async () => {
  app = await startTestApp({ env: { PVESPHERE_SYNC: 'false' } });
  ({ clusterIds } = await seedInventory(app.db, { clusters: 10, nodes: 20, guests: 1000 }));
  inventory = new InventoryQueries({
    db: app.services.db,
    onStatement: (text, values) => captured.push({ text, values }),
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

/** planOf runs `fn`, then EXPLAIN ANALYZEs the one statement it issued; returns its nodes. */
async function planOf(fn: () => Promise<unknown>): Promise<PlanNode[]> {
  captured = [];
  await fn();
  expect(captured).toHaveLength(1);
  const { text, values } = captured[0]!;
  const [row] = await app.db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `explain (analyze, format json) ${text}`,
    [...values],
  );
  const nodes: PlanNode[] = [];
  const walk = (node: PlanNode) => {
    nodes.push(node);
    node.Plans?.forEach(walk);
  };
  walk(row!['QUERY PLAN'][0].Plan);
  return nodes;
}

const scansOf = (nodes: PlanNode[], relation: string) =>
  nodes.filter((n) => n['Relation Name'] === relation);

describe('query plans over 10,000 guests', () => {
  it('a filtered first page walks the unique index and stops after first + 1 rows', async () => {
    const cluster = clusterIds[4]!;
    const nodes = await planOf(() =>
      inventory.vms.page({ clusterId: cluster, status: 'running', tag: 'prod' }, { first: 100 }),
    );
    const [scan, ...others] = scansOf(nodes, 'pve_vm');
    expect(others).toEqual([]);
    expect(scan).toMatchObject({
      'Node Type': 'Index Scan',
      'Index Name': 'pve_vm_cluster_id_vmid_unique',
      'Actual Rows': 101,
    });
    // the only sort is of the page itself (the result order), never of the cluster's rows
    const sorted = nodes.filter((n) => n['Node Type'] === 'Sort').map((n) => n['Actual Rows']);
    expect(sorted.every((rows) => (rows ?? 0) <= 101)).toBe(true);
  });

  it('a page after a cursor seeks into the index at the cursor, in both directions', async () => {
    const cluster = clusterIds[7]!;
    const nodes = await planOf(() =>
      inventory.vms.page(
        { clusterId: cluster, status: 'running' },
        {
          first: 100,
          after: [cluster, 700],
        },
      ),
    );
    expect(scansOf(nodes, 'pve_vm').map((n) => n['Node Type'])).not.toContain('Seq Scan');
    // one index access per branch (the row before the cursor, the rows after it); near the end
    // of a cluster the planner may read the short tail through a bitmap instead of in order
    const seeks = nodes.filter((n) => n['Index Name'] === 'pve_vm_cluster_id_vmid_unique');
    expect(seeks).toHaveLength(2);
    expect(seeks.map((n) => n['Index Cond']).join(' ')).toMatch(
      /ROW\(cluster_id, vmid\) <= ROW.*ROW\(cluster_id, vmid\) > ROW/,
    );
  });

  it('totalCount of a filtered cluster reads that cluster through an index only', async () => {
    const cluster = clusterIds[2]!;
    const nodes = await planOf(() =>
      inventory.vms.count({ clusterId: cluster, status: 'running', tag: 'prod' }),
    );
    const scans = scansOf(nodes, 'pve_vm');
    expect(scans.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    const indexed = nodes.filter((n) => n['Index Name']?.startsWith('pve_vm_'));
    expect(indexed.length).toBeGreaterThan(0);
    expect(indexed.every((n) => (n['Actual Rows'] ?? 0) <= 1000)).toBe(true);
  });

  it('a page with its count and addresses is one statement that reads only through indexes', async () => {
    const cluster = clusterIds[5]!;
    const nodes = await planOf(() =>
      inventory.vms.page(
        { clusterId: cluster, status: 'running', tag: 'prod' },
        { first: 100, count: true, details: ['ipAddresses'] },
      ),
    );
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    const addresses = scansOf(nodes, 'vm_ipaddress');
    expect(addresses.length).toBeGreaterThan(0);
    // Per guest, one scan of the listing index (in page order: once the visibility map is set,
    // an index-only scan without a sort).
    for (const scan of addresses) {
      expect(scan['Index Name'] ?? scan.Plans?.[0]?.['Index Name']).toBe(
        'vm_ipaddress_vm_id_listing_index',
      );
    }
    expect(nodes.map((n) => n['Index Name'])).toContain('pve_vm_cluster_id_vmid_unique');
  });

  it('nested pages of many clusters use one index range per cluster', async () => {
    const nodes = await planOf(() =>
      inventory.vms.pagesByGroup(
        GROUP_BY_CLUSTER,
        clusterIds.map((id) => [id]),
        { status: 'running' },
        { first: 5 },
      ),
    );
    const [scan, ...others] = scansOf(nodes, 'pve_vm');
    expect(others).toEqual([]);
    expect(scan).toMatchObject({
      'Node Type': 'Index Scan',
      'Index Name': 'pve_vm_cluster_id_vmid_unique',
    });
    // per loop: at most first + 1 rows pass
    expect(scan!['Actual Rows']).toBeLessThanOrEqual(6);
  });
});
