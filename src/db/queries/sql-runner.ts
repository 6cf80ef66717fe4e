import type { QueryResultRow } from 'pg';
import { coerceError } from '../../lib/coerce-error.js';
import type { Database } from '../database.js';

/** SqlRow is one row as `pg` returns it: column name → value (bigint as string). */
export type SqlRow = QueryResultRow;

/**
 * SqlRunner runs one parameterised SQL statement (`$1`, `$2` placeholders) and returns its rows.
 * Read-side queries go through it so they can be counted and traced in one place.
 */
export interface SqlRunner {
  query<T extends SqlRow = SqlRow>(text: string, values?: readonly unknown[]): Promise<T[]>;
}

/** SqlRunnerOptions are the inputs of {@link createSqlRunner}. */
export interface SqlRunnerOptions {
  /** Called with every statement and its values before it runs (statement counters, EXPLAIN). */
  onStatement?: (text: string, values: readonly unknown[]) => void;
}

/**
 * createSqlRunner runs statements on the database's node-postgres pool, with `pg`'s own
 * parameter binding (values are never inlined into the text, arrays travel as PostgreSQL
 * arrays). No transaction is opened: each statement is its own snapshot.
 */
export function createSqlRunner(db: Database, options: SqlRunnerOptions = {}): SqlRunner {
  return {
    async query<T extends SqlRow>(text: string, values: readonly unknown[] = []) {
      options.onStatement?.(text, values);
      try {
        return (await db.pool.query<T>(text, values as unknown[])).rows;
      } catch (err) {
        const error = coerceError(err);
        throw new Error(`inventory query failed: ${error.message}`, { cause: error });
      }
    },
  };
}
