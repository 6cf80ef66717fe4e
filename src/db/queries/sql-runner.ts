import type { ClientBase, QueryResultRow } from 'pg';
import { coerceError } from '../../lib/coerce-error.js';
import type { Database } from '../database.js';

/** SqlRow is one row as `pg` returns it: column name → value (bigint as string). */
export type SqlRow = QueryResultRow;

/**
 * SqlRunner runs one parameterised SQL statement (`$1`, `$2` placeholders) and returns its rows.
 * Read-side queries go through it so they can be counted and the pool is shared with the ORM.
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
 * createSqlRunner runs statements on a connection of the ORM's pool, with `pg`'s own parameter
 * binding (values are never inlined into the text, arrays travel as PostgreSQL arrays). No
 * transaction is opened: each statement is its own snapshot.
 */
export function createSqlRunner(db: Database, options: SqlRunnerOptions = {}): SqlRunner {
  const client = db.orm.em.getConnection().getKnex().client;
  return {
    async query<T extends SqlRow>(text: string, values: readonly unknown[] = []) {
      options.onStatement?.(text, values);
      const connection = (await client.acquireConnection()) as ClientBase;
      try {
        const result = await connection.query<T>(text, values as unknown[]);
        return result.rows;
      } catch (err) {
        const error = coerceError(err);
        throw new Error(`inventory query failed: ${error.message}`, { cause: error });
      } finally {
        await client.releaseConnection(connection);
      }
    },
  };
}
