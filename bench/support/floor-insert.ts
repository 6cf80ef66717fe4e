import type pg from 'pg';
import { BENCH_TABLE_PREFIX } from './db-activity.js';

/** FloorResult is the time a plain insert of the inventory's guest rows takes. */
export interface FloorResult {
  rows: number;
  columns: number;
  statements: number;
  ms: number;
}

/** Rows per INSERT statement (PostgreSQL allows 65,535 parameters per statement). */
const ROWS_PER_STATEMENT = 1000;

/**
 * floorInsert measures the floor of an initial sync: the same `pve_vm` rows (every column but
 * the serial id, read back from what the sync wrote) inserted with plain multi-row INSERT
 * statements through node-postgres, in one transaction, into a scratch copy of `pve_vm` (same
 * columns, defaults, constraints and indexes). The scratch table is dropped afterwards.
 */
export async function floorInsert(pool: pg.Pool): Promise<FloorResult> {
  const table = `${BENCH_TABLE_PREFIX}floor_vm`;
  const client = await pool.connect();
  try {
    await client.query(`drop table if exists ${table}`);
    await client.query(
      `create table ${table} (like pve_vm including defaults including constraints including indexes)`,
    );
    const { rows, fields } = await client.query<Record<string, unknown>>(
      'select * from pve_vm order by cluster_id, vmid',
    );
    const columns = fields.map((field) => field.name).filter((name) => name !== 'id');
    const quoted = columns.map((name) => `"${name}"`).join(', ');
    let statements = 0;
    const started = performance.now();
    await client.query('begin');
    for (let from = 0; from < rows.length; from += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(from, from + ROWS_PER_STATEMENT);
      const values: unknown[] = [];
      const tuples = chunk.map((row) => {
        const placeholders = columns.map((column) => {
          values.push(row[column]);
          return `$${values.length}`;
        });
        return `(${placeholders.join(', ')})`;
      });
      await client.query(`insert into ${table} (${quoted}) values ${tuples.join(', ')}`, values);
      statements++;
    }
    await client.query('commit');
    const ms = performance.now() - started;
    await client.query(`drop table ${table}`);
    return { rows: rows.length, columns: columns.length, statements, ms };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
