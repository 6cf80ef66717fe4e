import type { QueryResultRow } from 'pg';
import { coerceError } from '../../lib/coerce-error.js';
import type { Database } from '../database.js';
import { poolQuery } from '../pool-query.js';

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
  /**
   * How many distinct statement texts run as named prepared statements (parsed and planned once
   * per connection: a third of PostgreSQL's time for an inventory page); later ones run unnamed,
   * which bounds what each connection keeps prepared. 0 prepares none. @default 64
   */
  preparedStatements?: number;
}

/**
 * SQLSTATEs of a prepared statement the server does not have (or has twice): what a transaction
 * pooler that does not keep prepared statements causes. The runner then stops preparing.
 */
const PREPARED_STATEMENT_LOST = new Set(['26000', '42P05']);

/** Statement names are unique in the process: runners share the pool's connections. */
let statements = 0;

/**
 * createSqlRunner runs statements on the database's node-postgres pool, with `pg`'s own
 * parameter binding (values are never inlined into the text, arrays travel as PostgreSQL
 * arrays). No transaction is opened: each statement is its own snapshot. The first
 * `preparedStatements` distinct texts are named prepared statements, the rest run unnamed; if
 * the server loses a prepared statement (a transaction pooler), the statement runs again
 * unnamed and nothing is prepared any more.
 */
export function createSqlRunner(db: Database, options: SqlRunnerOptions = {}): SqlRunner {
  const names = new Map<string, string>();
  let capacity = options.preparedStatements ?? 64;
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < capacity) {
      statements += 1;
      name = `pvesphere_${statements}`;
      names.set(text, name);
    }
    return name;
  };
  return {
    async query<T extends SqlRow>(text: string, values: readonly unknown[] = []) {
      options.onStatement?.(text, values);
      const name = nameOf(text);
      try {
        try {
          return (await poolQuery<T>(db.pool, { text, values: values as unknown[], name })).rows;
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (name === undefined || !PREPARED_STATEMENT_LOST.has(String(code))) throw err;
          capacity = 0;
          names.clear();
          return (await poolQuery<T>(db.pool, text, values)).rows;
        }
      } catch (err) {
        const error = coerceError(err);
        throw new Error(`inventory query failed: ${error.message}`, { cause: error });
      }
    },
  };
}
