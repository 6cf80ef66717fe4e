import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolQuery } from '../../src/db/pool-query.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('poolQuery', () => {
  it('runs a statement (text or config) and gives its client back to the pool', async () => {
    const byText = await poolQuery<{ n: number }>(pool, 'select $1::int as n', [7]);
    const byConfig = await poolQuery<{ n: number }>(pool, {
      text: 'select $1::int + 1 as n',
      values: [7],
      name: 'pool_query_test',
    });
    expect([byText.rows[0]!.n, byConfig.rows[0]!.n]).toEqual([7, 8]);
    expect(pool.idleCount).toBe(pool.totalCount);
    expect(pool.waitingCount).toBe(0);
  });

  it('rejects with the statement error and discards that client, as pool.query() does', async () => {
    await poolQuery(pool, 'select 1');
    const before = pool.totalCount;
    await expect(poolQuery(pool, 'select * from no_such_table')).rejects.toThrow(/no_such_table/);
    expect(pool.totalCount).toBe(before - 1);
    expect((await poolQuery<{ one: number }>(pool, 'select 1 as one')).rows).toEqual([{ one: 1 }]);
  });
});
