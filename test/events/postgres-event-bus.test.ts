import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents } from '../../src/events/event-log.js';
import type { InventoryEvent } from '../../src/events/inventory-change.js';
import {
  PostgresEventBus,
  type PostgresEventBusOptions,
} from '../../src/events/postgres-event-bus.js';
import { testLogger } from '../support/capture.js';
import { eventually } from '../support/simulator-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { vmChange } from './fixtures.js';

let db: TestDatabase;
let pool: pg.Pool;
const buses: PostgresEventBus[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
});

afterEach(async () => {
  for (const bus of buses.splice(0)) await bus.close();
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

/** write commits `count` guest changes in one transaction, as another server process would. */
async function write(count: number): Promise<InventoryEvent[]> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const events = await appendEvents(
      client,
      Array.from({ length: count }, (_, i) => vmChange({ vmid: 100 + i }, { vmid: 100 + i })),
    );
    await client.query('commit');
    return events;
  } finally {
    client.release();
  }
}

/** startBus starts a bus on the test database; every delivered batch lands in `received`. */
async function startBus(options: Partial<PostgresEventBusOptions> = {}) {
  const bus = new PostgresEventBus({
    connectionString: db.url,
    pool,
    logger: testLogger({ component: 'postgres-bus-test' }),
    // Only a notification (or what a test asks for) may wake it.
    safetyIntervalMs: 600_000,
    pollIntervalMs: 600_000,
    backoff: { initialMs: 300, maxMs: 300, jitter: 0 },
    ...options,
  });
  buses.push(bus);
  const received: InventoryEvent[] = [];
  bus.subscribe((events) => received.push(...events));
  await bus.start();
  return { bus, received };
}

async function listenerSessions(): Promise<number[]> {
  const rows = await db.query<{ pid: number }>(
    `select pid from pg_stat_activity
      where datname = current_database() and application_name = 'pvesphere-listener'`,
  );
  return rows.map((r) => r.pid);
}

const sequencesOf = (events: InventoryEvent[]) => events.map((e) => e.sequence);

describe('PostgresEventBus', () => {
  it('delivers the events other sessions commit once, in order, woken by NOTIFY', async () => {
    const before = await write(2);
    const { bus, received } = await startBus({ mode: 'listen' });
    expect(bus.mode).toBe('listen');
    const written = [...(await write(3)), ...(await write(1)), ...(await write(2))];
    await eventually(() => expect(sequencesOf(received)).toEqual(sequencesOf(written)));
    // The events read back are the events that were written, objects included.
    expect(received).toEqual(written);
    expect(sequencesOf(received)).not.toContain(before[0]!.sequence);
    expect(bus.lastSequence).toBe(written.at(-1)!.sequence);
  });

  it('publish() reads at once, without waiting for a notification or a poll', async () => {
    const { bus, received } = await startBus({ mode: 'poll' });
    expect(bus.mode).toBe('poll');
    const written = await write(2);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(received).toEqual([]);
    bus.publish(written);
    await eventually(() => expect(sequencesOf(received)).toEqual(sequencesOf(written)));
  });

  it('reconnects a terminated LISTEN session and reads what was committed while it was down', async () => {
    const { bus, received } = await startBus({ mode: 'listen' });
    const first = await write(1);
    await eventually(() => expect(received).toHaveLength(1));
    const [pid] = await listenerSessions();
    expect(pid).toBeDefined();
    await db.query('select pg_terminate_backend($1)', [pid]);
    // Committed while the session is down: its notification is lost.
    const missed = await write(3);
    await eventually(async () => {
      const pids = await listenerSessions();
      expect(pids).toHaveLength(1);
      expect(pids[0]).not.toBe(pid);
    });
    await eventually(() =>
      expect(sequencesOf(received)).toEqual(sequencesOf([...first, ...missed])),
    );
    // And it listens again.
    const later = await write(1);
    await eventually(() =>
      expect(sequencesOf(received)).toEqual(sequencesOf([...first, ...missed, ...later])),
    );
    expect(bus.mode).toBe('listen');
  });

  it('auto: polls the log when notifications never arrive (LISTEN behind a transaction pooler)', async () => {
    // A session whose LISTEN "succeeds" but hears nothing, as with PgBouncer in transaction mode.
    const deaf = (connectionString: string) => {
      const client = new pg.Client({ connectionString, application_name: 'pvesphere-listener' });
      const query = client.query.bind(client) as (text: string) => Promise<unknown>;
      Object.assign(client, {
        query: (text: string) =>
          /^listen /i.test(text) ? Promise.resolve({ rows: [] }) : query(text),
      });
      return client;
    };
    const { bus, received } = await startBus({
      mode: 'auto',
      createClient: deaf,
      probeTimeoutMs: 200,
      pollIntervalMs: 50,
    });
    expect(bus.mode).toBe('poll');
    expect(await listenerSessions()).toEqual([]);
    const written = await write(2);
    await eventually(() => expect(sequencesOf(received)).toEqual(sequencesOf(written)));
  });

  it('auto: listens when the probe notification arrives', async () => {
    const { bus } = await startBus({ mode: 'auto' });
    expect(bus.mode).toBe('listen');
  });

  it('close() ends the LISTEN session and removes the listeners', async () => {
    const { bus } = await startBus({ mode: 'listen' });
    expect(await listenerSessions()).toHaveLength(1);
    expect(bus.listenerCount).toBe(1);
    await bus.close();
    expect(bus.listenerCount).toBe(0);
    await eventually(async () => expect(await listenerSessions()).toEqual([]));
  });
});
