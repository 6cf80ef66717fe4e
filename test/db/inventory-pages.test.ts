import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/database.js';
import { InventoryQueries } from '../../src/db/inventory-queries.js';
import {
  ipAddressFromRow,
  nodeFromRow,
  storageFromRow,
  vmFromRow,
} from '../../src/db/inventory-records.js';
import { silentLogger } from '../../src/lib/logger.js';
import { insertVm, seedInventory } from '../support/inventory-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let db: TestDatabase;
let database: Database;
let inventory: InventoryQueries;
let clusterIds: number[];

beforeAll(async () => {
  db = await createTestDatabase();
  ({ clusterIds } = await seedInventory(db, { clusters: 2, nodes: 3, guests: 40 }));
  // Values the fixture does not make: nulls, a NUL-free odd name, an empty tag list,
  // sub-millisecond and pre-epoch timestamps, a huge byte count and a fractional usage.
  const odd = await insertVm(db, { clusterId: clusterIds[0]!, vmid: 9001, name: null, tags: [] });
  await db.query(
    `update pve_vm set cpu_usage = 0.1::float8 + 0.2::float8, max_mem = 9007199254740991, agent_enabled = null,
       last_sync_time = '1969-07-20 20:17:40.123999+00', description = 'ünïcødé "quoted" \\ back'
     where id = $1`,
    [odd],
  );
  await db.query(
    `update pve_node set last_sync_time = '2026-11-26 01:02:03.000999+00', ip_address = null
     where cluster_id = $1 and node_name = 'pve1'`,
    [clusterIds[0]],
  );
  await db.query(`update pve_storage set content = '' where storage_name = 'local'`);
  database = await openDatabase({ clientUrl: db.url, logger: silentLogger });
  inventory = new InventoryQueries({ db: database });
});

afterAll(async () => {
  await database?.close();
  await db?.drop();
});

/** Every row of a table as node-postgres gives it, by id. */
async function rowsById(table: string) {
  const { rows } = await database.pool.query(`select * from ${table}`);
  return new Map(rows.map((row) => [Number(row.id), row]));
}

describe('inventory pages read from JSON rows', () => {
  it('make the same guest records as vmFromRow, addresses included', async () => {
    const rows = await rowsById('pve_vm');
    const addresses = (await database.pool.query('select * from vm_ipaddress')).rows;
    const page = await inventory.vms.page({}, { first: 500, details: ['ipAddresses'] });
    expect(page.records).toHaveLength(rows.size);
    for (const record of page.records) {
      const own = addresses
        .filter((a) => Number(a.vm_id) === record.id)
        .sort(
          (a, b) =>
            String(a.nic_name).localeCompare(String(b.nic_name)) ||
            Number(a.ip_version) - Number(b.ip_version) ||
            (String(a.ip_address) < String(b.ip_address) ? -1 : 1),
        )
        .map(ipAddressFromRow);
      expect(record).toEqual(vmFromRow(rows.get(record.id)!, own));
    }
    expect(page.records.find((vm) => vm.vmid === 9001)).toMatchObject({
      name: null,
      tags: [],
      cpuUsage: 0.1 + 0.2,
      maxMem: 9007199254740991,
      agentEnabled: null,
      lastSyncTime: '1969-07-20T20:17:40.123Z',
    });
  });

  it('make the same node and storage records as nodeFromRow and storageFromRow', async () => {
    const nodes = await rowsById('pve_node');
    const nodePage = await inventory.nodes.page({}, { first: 500 });
    expect(nodePage.records).toHaveLength(nodes.size);
    for (const node of nodePage.records) expect(node).toEqual(nodeFromRow(nodes.get(node.id)!));
    expect(nodePage.records.map((n) => n.lastSyncTime)).toContain('2026-11-26T01:02:03.000Z');

    const storages = await rowsById('pve_storage');
    const storagePage = await inventory.storages.page({}, { first: 500 });
    expect(storagePage.records).toHaveLength(storages.size);
    for (const storage of storagePage.records) {
      expect(storage).toEqual(storageFromRow(storages.get(storage.id)!));
    }
  });

  it('carry the page flags and count of one statement, per group too', async () => {
    const first = await inventory.vms.page(
      { clusterId: clusterIds[1] },
      { first: 10, count: true },
    );
    expect(first).toMatchObject({ hasNextPage: true, hasPreviousPage: false, total: 40 });
    const last = first.records.at(-1)!;
    const next = await inventory.vms.page(
      { clusterId: clusterIds[1] },
      { first: 100, after: [last.clusterId, last.vmid], count: true },
    );
    expect(next).toMatchObject({ hasNextPage: false, hasPreviousPage: true, total: 40 });
    expect(next.records).toHaveLength(30);
    const empty = await inventory.vms.page({ clusterId: 999 }, { first: 5, count: true });
    expect(empty).toEqual({ records: [], hasNextPage: false, hasPreviousPage: false, total: 0 });

    const groups = await inventory.vms.pagesByGroup(
      [{ column: 'cluster_id', type: 'int' }],
      [[clusterIds[1]!], [999], [clusterIds[0]!]],
      { status: 'running' },
      { first: 2, count: true },
    );
    expect(groups.map((g) => [g.records.length, g.hasNextPage, g.total])).toEqual([
      [2, true, expect.any(Number)],
      [0, false, 0],
      [2, true, expect.any(Number)],
    ]);
    expect(groups[0]!.records.every((vm) => vm.clusterId === clusterIds[1])).toBe(true);
  });
});
