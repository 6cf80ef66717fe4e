import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { InventoryUsage } from '../../src/inventory/inventory-usage.js';
import { InventoryWriter } from '../../src/inventory/inventory-writer.js';
import {
  closeSeededDatabase,
  openSeededDatabase,
  type SeededDatabase,
} from '../support/seeded-database.js';
import type { TestDatabase } from '../support/test-database.js';

// The usage flush, against a real PostgreSQL: what InventoryUsage hands out is what the rows
// then hold — fractions exactly, counters beyond 32 bits, nulls as NULL, int8 columns rounded.

let seeded: SeededDatabase;
let testDb: TestDatabase;
let db: Database;
let clusterId: number;

beforeAll(async () => {
  seeded = await openSeededDatabase({ clusters: 1, nodes: 2, guests: 3 });
  ({ testDb, db } = seeded);
  clusterId = seeded.clusterIds[0]!;
});

afterAll(() => closeSeededDatabase(seeded));

describe('the usage flush', () => {
  it('writes every metric of the changed objects, and nothing more once committed', async () => {
    const usage = new InventoryUsage();
    const big = 2 ** 53 - 1;
    usage.guests.set(
      'qemu/100',
      {
        cpuUsage: 0.123456789012345,
        memUsed: 2 ** 40 + 0.6,
        diskUsed: null,
        netIn: big,
        netOut: 0,
        diskRead: 7,
        diskWrite: Number.POSITIVE_INFINITY,
        uptime: 86_400,
      },
      100,
    );
    usage.guests.set(
      'qemu/101',
      {
        cpuUsage: null,
        memUsed: 1,
        diskUsed: 2,
        netIn: 3,
        netOut: 4,
        diskRead: 5,
        diskWrite: 6,
        uptime: null,
      },
      101,
    );
    usage.nodes.set(
      'node/pve2',
      { cpuUsage: 0.5, memUsed: 2 ** 36, diskUsed: null, uptime: 12 },
      'pve2',
    );
    const [storage] = await testDb.query<{ node_name: string; storage_name: string }>(
      'select node_name, storage_name from pve_storage where cluster_id = $1 order by id limit 1',
      [clusterId],
    );
    usage.storages.set(
      `storage/${storage!.node_name}/${storage!.storage_name}`,
      { total: 2 ** 42, used: 2 ** 41, avail: null, usedFraction: 0.5 },
      { node: storage!.node_name, name: storage!.storage_name },
    );

    const writer = new InventoryWriter({ db, clusterId });
    const pending = usage.pending();
    expect(await writer.flushMetrics(pending.batch)).toBe(4);
    pending.commit();
    expect(await writer.flushMetrics(usage.pending().batch)).toBe(0);

    const vms = await testDb.query(
      `select vmid, cpu_usage, mem_used, disk_used, net_in, net_out, disk_read, disk_write, uptime
         from pve_vm where cluster_id = $1 and vmid in (100, 101) order by vmid`,
      [clusterId],
    );
    expect(vms).toEqual([
      {
        vmid: 100,
        cpu_usage: 0.123456789012345,
        mem_used: String(2 ** 40 + 1),
        disk_used: null,
        net_in: String(big),
        net_out: '0',
        disk_read: '7',
        disk_write: null,
        uptime: '86400',
      },
      {
        vmid: 101,
        cpu_usage: null,
        mem_used: '1',
        disk_used: '2',
        net_in: '3',
        net_out: '4',
        disk_read: '5',
        disk_write: '6',
        uptime: null,
      },
    ]);
    const [node] = await testDb.query(
      `select cpu_usage, mem_used, disk_used, uptime from pve_node
        where cluster_id = $1 and node_name = 'pve2'`,
      [clusterId],
    );
    expect(node).toEqual({
      cpu_usage: 0.5,
      mem_used: String(2 ** 36),
      disk_used: null,
      uptime: '12',
    });
    const [written] = await testDb.query(
      `select total, used, avail, used_fraction from pve_storage
        where cluster_id = $1 and node_name = $2 and storage_name = $3`,
      [clusterId, storage!.node_name, storage!.storage_name],
    );
    expect(written).toEqual({
      total: String(2 ** 42),
      used: String(2 ** 41),
      avail: null,
      used_fraction: 0.5,
    });
  });
});
