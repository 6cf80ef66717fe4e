import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { createSqlRunner } from '../../src/db/queries/sql-runner.js';

interface Call {
  text: string;
  name: string | undefined;
}

/** A database whose pool's clients record the statements they are asked to run. */
function fakeDatabase(fail: (call: Call) => Error | undefined = () => undefined) {
  const calls: Call[] = [];
  const client = {
    async query(config: string | { text: string; name?: string }) {
      const call =
        typeof config === 'string'
          ? { text: config, name: undefined }
          : { text: config.text, name: config.name };
      calls.push(call);
      const error = fail(call);
      if (error) throw error;
      return { rows: [{ ok: 1 }] };
    },
    release() {},
  };
  const db = { pool: { connect: async () => client } } as unknown as Database;
  return { db, calls };
}

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('the SQL runner', () => {
  it('prepares the first distinct texts under names unique in the process, runs later ones unnamed', async () => {
    const { db, calls } = fakeDatabase();
    const runner = createSqlRunner(db, { preparedStatements: 2 });
    const other = createSqlRunner(db, { preparedStatements: 2 });
    for (const text of ['select 1', 'select 2', 'select 1', 'select 3']) await runner.query(text);
    await other.query('select 9');
    const [a, b, again, third, foreign] = calls;
    expect(a!.name).toMatch(/^pvesphere_\d+$/);
    expect(b!.name).not.toBe(a!.name);
    expect(again!.name).toBe(a!.name);
    expect(third!.name).toBeUndefined();
    expect([a!.name, b!.name]).not.toContain(foreign!.name);
  });

  it('stops preparing when the server loses prepared statements (a transaction pooler)', async () => {
    const { db, calls } = fakeDatabase((call) =>
      call.name !== undefined ? pgError('26000') : undefined,
    );
    const runner = createSqlRunner(db);
    expect(await runner.query('select 1')).toEqual([{ ok: 1 }]);
    await runner.query('select 2');
    expect(calls.map((c) => c.name === undefined)).toEqual([false, true, true]);
  });

  it('reports other errors as inventory query failures, without retrying', async () => {
    const { db, calls } = fakeDatabase(() => pgError('42601'));
    const runner = createSqlRunner(db);
    await expect(runner.query('selec 1')).rejects.toThrow(/inventory query failed: pg 42601/);
    expect(calls).toHaveLength(1);
  });
});
