import type pg from 'pg';

/**
 * poolQuery runs one statement on a client checked out of `pool` for it, like `pool.query()`
 * (a client whose statement failed is discarded, as pg-pool does), but without keeping the
 * result alive afterwards. When pg-pool opens a new connection to serve a `pool.query()`, the
 * connection's listeners hold pg-pool's connect callback, and through it that query's resolved
 * result, for as long as the connection lives: heap snapshots showed a cluster's whole stored
 * inventory (1,000 `pve_vm` rows of 32 columns, its IP rows, …) kept that way, ten results at
 * once. A checked-out client's chain ends at the client itself. Use it for statements whose
 * results can be large.
 */
export async function poolQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  pool: pg.Pool,
  statement: string | pg.QueryConfig,
  values?: readonly unknown[],
): Promise<pg.QueryResult<R>> {
  const client = await pool.connect();
  try {
    const result =
      typeof statement === 'string'
        ? await client.query<R>(statement, values as unknown[] | undefined)
        : await client.query<R>(statement);
    client.release();
    return result;
  } catch (err) {
    client.release(err instanceof Error ? err : true);
    throw err;
  }
}
