import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimestampTexts } from '../../src/db/timestamp-text.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 1 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('TimestampTexts', () => {
  it('gives what toISOString() of the column read as a Date gives, in any session time zone', async () => {
    const values = [
      '2026-11-27 08:00:00.123456+00',
      '2026-03-29 01:59:59.999999+00',
      '1999-12-31 23:59:59+00',
      '2026-11-27 08:00:00.5+05:30',
    ];
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns']) {
      await pool.query(`set time zone '${zone}'`);
      const texts = new TimestampTexts();
      for (const value of values) {
        const { rows } = await pool.query<{ d: Date; t: string }>(
          'select $1::timestamptz as d, $1::timestamptz::text as t',
          [value],
        );
        expect(texts.iso(rows[0]!.t), `${value} in ${zone} (${rows[0]!.t})`).toBe(
          rows[0]!.d.toISOString(),
        );
      }
    }
  });

  it('parses a repeated text once and hands back the same string', () => {
    const texts = new TimestampTexts();
    const first = texts.iso('2026-11-27 08:00:00.123456+00');
    expect(first).toBe('2026-11-27T08:00:00.123Z');
    expect(texts.iso('2026-11-27 08:00:00.123456+00')).toBe(first);
    expect(texts.iso('2026-11-27 08:00:01+00')).toBe('2026-11-27T08:00:01.000Z');
  });
});
