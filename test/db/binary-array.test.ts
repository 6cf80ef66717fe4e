import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryArray } from '../../src/db/binary-array.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// What PostgreSQL reads from binaryArray's buffers (array_recv), as text so nothing is lost.

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb?.drop();
});

const read = async (param: Buffer, type: string) =>
  (await testDb.query<{ v: string | null }>(`select $1::${type}[]::text as v`, [param]))[0]!.v;

describe('binaryArray', () => {
  it('writes int8 values of any sign and size, rounded, and NULL for what has none', async () => {
    const values = [0, 1, -1, 2 ** 31, -(2 ** 40) - 3, 2 ** 53 - 1, 2.5, -2.6, Number.NaN];
    expect(await read(binaryArray(values, 'int8'), 'int8')).toBe(
      `{0,1,-1,2147483648,-1099511627779,9007199254740991,3,-3,NULL}`,
    );
    // Beyond int8, or not finite: NULL rather than a statement PostgreSQL refuses.
    expect(
      await read(
        binaryArray([2 ** 63, -(2 ** 64), Number.POSITIVE_INFINITY, -(2 ** 63)], 'int8'),
        'int8',
      ),
    ).toBe('{NULL,NULL,NULL,-9223372036854775808}');
  });

  it('writes float8 values exactly, -0 as 0', async () => {
    const values = [0.123456789012345, -1e-300, 2 ** 60, -0, Number.NaN];
    const [row] = await testDb.query<{ v: number[] }>('select $1::float8[] as v', [
      binaryArray(values, 'float8'),
    ]);
    expect(row!.v).toEqual([0.123456789012345, -1e-300, 2 ** 60, 0, null]);
    expect(Object.is(row!.v[3], 0)).toBe(true);
  });

  it('writes int4 values, and an empty array', async () => {
    expect(await read(binaryArray([100, 999_999_999, -(2 ** 31), 2 ** 31], 'int4'), 'int4')).toBe(
      '{100,999999999,-2147483648,NULL}',
    );
    expect(await read(binaryArray([], 'int4'), 'int4')).toBe('{}');
    expect(await read(binaryArray(new Float64Array(0), 'float8'), 'float8')).toBe('{}');
  });
});
