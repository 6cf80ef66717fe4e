import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendEvents, EVENT_NOTIFY_CHANNEL, STAGED_BATCH } from '../../src/events/event-log.js';
import { EventLogReader } from '../../src/events/event-log-reader.js';
import { EventPruner } from '../../src/events/event-pruner.js';
import type { InventoryChange } from '../../src/events/inventory-change.js';
import { FakeClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { eventually } from '../support/simulator-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { vmChange } from './fixtures.js';

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

beforeEach(async () => {
  await pool.query('truncate inventory_event restart identity');
});

/** write runs appendEvents in a transaction of its own, committed unless `rollback`. */
async function write(changes: InventoryChange[], options: { rollback?: boolean } = {}) {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const events = await appendEvents(client, changes);
    await client.query(options.rollback ? 'rollback' : 'commit');
    return events;
  } finally {
    client.release();
  }
}

/** changes makes `count` guest changes (vmid 100 + i on pve1, except where `at` says). */
function changes(count: number, at: (i: number) => Partial<InventoryChange<'vm'>> = () => ({})) {
  return Array.from({ length: count }, (_, i) =>
    vmChange({ vmid: 100 + i, objectKey: `qemu/${100 + i}`, ...at(i) }, { vmid: 100 + i }),
  );
}

describe('appendEvents', () => {
  it('notifies the channel with the highest sequence at commit, once per transaction, never on rollback', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (message) => heard.push(message.payload ?? ''));
    await listener.query(`listen ${EVENT_NOTIFY_CHANNEL}`);
    try {
      const client = await pool.connect();
      await client.query('begin');
      const events = await appendEvents(client, changes(3));
      expect(events.map((e) => e.sequence)).toEqual(['1', '2', '3']);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(heard).toEqual([]); // not before the commit
      await client.query('commit');
      client.release();
      await write(changes(2), { rollback: true });
      await write(changes(1));
      await eventually(() => expect(heard).toEqual(['3', '6']));
    } finally {
      await listener.end();
    }
  });
});

describe('appendEvents with a staged batch', () => {
  it('writes a large batch (parsed before the lock) exactly as a small one, twice in one transaction', async () => {
    const big = changes(STAGED_BATCH + 50, (i) => ({
      type: i % 3 === 0 ? 'UPDATED' : 'ADDED',
      changedFields: i % 3 === 0 ? ['name', 'tags'] : [],
      node: `pve${(i % 4) + 1}`,
      previousNode: i % 7 === 0 ? 'pve9' : null,
    }));
    const client = await pool.connect();
    try {
      await client.query('begin');
      const first = await appendEvents(client, big);
      const second = await appendEvents(client, changes(STAGED_BATCH));
      await client.query('commit');
      expect(first.map((e) => e.sequence)).toEqual(big.map((_, i) => String(i + 1)));
      expect(second[0]!.sequence).toBe(String(big.length + 1));
    } finally {
      client.release();
    }
    const small = await write(changes(3));
    const reader = new EventLogReader(pool);
    const read = (await reader.readAfter('0', 10_000)).slice(0, big.length);
    // What was written is what was given, field by field, in order.
    expect(read.map(({ sequence: _s, at: _a, ...rest }) => rest)).toEqual(big);
    expect(small.map((e) => e.sequence)).toEqual(
      [1, 2, 3].map((i) => String(big.length + STAGED_BATCH + i)),
    );
  });
});

describe('EventLogReader', () => {
  it('reads pages in numeric sequence order (9 before 10), with the log bounds', async () => {
    await write(changes(12));
    const reader = new EventLogReader(pool);
    const page = await reader.readPage('7', 4);
    expect(page.events.map((e) => e.sequence)).toEqual(['8', '9', '10', '11']);
    expect(page).toMatchObject({ oldest: '1', assigned: '12' });
    expect((await reader.readAfter('8', 100)).map((e) => e.sequence)).toEqual([
      '9',
      '10',
      '11',
      '12',
    ]);
    expect(await reader.head()).toBe('12');
  });

  it('returns the events as they were published (payload, previous, changed fields, nodes)', async () => {
    const [written] = await write([
      vmChange(
        { node: 'pve2', previousNode: 'pve1', changedFields: ['node', 'status'] },
        {
          node: 'pve2',
          ipAddresses: [
            {
              nicName: 'eth0',
              macAddress: null,
              ipAddress: '192.0.2.1',
              ipVersion: 4,
              prefixLength: 24,
              configNic: 'net0',
            },
          ],
        },
      ),
    ]);
    const [read] = (await new EventLogReader(pool).readPage('0', 10)).events;
    expect(read).toEqual(written);
  });

  it('filters by kind, cluster, vmid and by the old or the new node', async () => {
    await write([
      ...changes(3),
      vmChange(
        { node: 'pve2', previousNode: 'pve1', vmid: 200, objectKey: 'qemu/200' },
        { vmid: 200, node: 'pve2' },
      ),
      vmChange(
        { clusterId: 2, node: 'pve2', vmid: 300, objectKey: 'qemu/300' },
        { clusterId: 2, vmid: 300, node: 'pve2' },
      ),
    ]);
    const reader = new EventLogReader(pool);
    const vmids = async (filter: Parameters<EventLogReader['readPage']>[2]) =>
      (await reader.readPage('0', 100, filter)).events.map((e) => e.vmid);
    expect(await vmids({ kind: 'vm', node: 'pve1' })).toEqual([100, 101, 102, 200]);
    expect(await vmids({ kind: 'vm', node: 'pve2' })).toEqual([200, 300]);
    expect(await vmids({ kind: 'vm', node: 'pve2', clusterId: 1 })).toEqual([200]);
    expect(await vmids({ kind: 'vm', vmid: 101 })).toEqual([101]);
    expect(await vmids({ kind: 'node' })).toEqual([]);
  });

  it('reports an empty log with the last sequence assigned, rolled-back ones included', async () => {
    const reader = new EventLogReader(pool);
    expect(await reader.readPage('0', 10)).toEqual({ events: [], oldest: null, assigned: '0' });
    await write(changes(2), { rollback: true });
    expect(await reader.readPage('0', 10)).toEqual({ events: [], oldest: null, assigned: '2' });
  });
});

describe('EventPruner', () => {
  function capturingLogger() {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    return { lines, logger: createLogger({ level: 'debug', destination }) };
  }

  const age = (through: number, days: number) =>
    pool.query(
      `update inventory_event set at = now() - $2::int * interval '1 day' where sequence <= $1`,
      [through, days],
    );

  it('deletes the events older than the retention in batches, oldest first, and logs it', async () => {
    await write(changes(10));
    await age(7, 8);
    const { lines, logger } = capturingLogger();
    const pruner = new EventPruner({ pool, retentionMs: 7 * 86_400_000, batchSize: 3, logger });
    expect(await pruner.pruneOnce()).toEqual({ deleted: 7, through: '7', batches: 3 });
    const { rows } = await pool.query('select sequence::int as s from inventory_event order by 1');
    expect(rows.map((r) => r.s)).toEqual([8, 9, 10]);
    expect(
      lines.find((l) => l.msg === 'pruned inventory events older than the retention'),
    ).toMatchObject({
      deleted: 7,
      through: '7',
      batches: 3,
    });
    expect(await pruner.pruneOnce()).toEqual({ deleted: 0, through: null, batches: 0 });
  });

  it('removes a prefix by sequence, and always keeps the newest event', async () => {
    await write(changes(5));
    // Sequence 3 is young, the others old: only 1 and 2 go (a prefix); 4 and 5 stay.
    await age(5, 30);
    await pool.query(`update inventory_event set at = now() where sequence = 3`);
    const { logger } = capturingLogger();
    const pruner = new EventPruner({ pool, retentionMs: 86_400_000, logger });
    expect(await pruner.pruneOnce()).toMatchObject({ deleted: 2, through: '2' });
    await pool.query(`update inventory_event set at = now() - interval '30 days'`);
    expect(await pruner.pruneOnce()).toMatchObject({ deleted: 2, through: '4' });
    const page = await new EventLogReader(pool).readPage('4', 10);
    expect(page).toMatchObject({ oldest: '5', assigned: '5' });
  });

  it('runs on its interval until stopped', async () => {
    await write(changes(4));
    await age(4, 30);
    const clock = new FakeClock();
    const { lines, logger } = capturingLogger();
    const pruner = new EventPruner({
      pool,
      retentionMs: 86_400_000,
      intervalMs: 60_000,
      logger,
      clock,
    });
    pruner.start();
    await clock.advance(0);
    await eventually(() => expect(lines.some((l) => l.deleted === 3)).toBe(true));
    await write(changes(2));
    await age(6, 30);
    await clock.advance(59_000);
    const before = (await pool.query('select count(*)::int as n from inventory_event')).rows[0].n;
    expect(before).toBe(3);
    await clock.advance(1_000);
    await eventually(async () =>
      expect((await pool.query('select count(*)::int as n from inventory_event')).rows[0].n).toBe(
        1,
      ),
    );
    await pruner.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
