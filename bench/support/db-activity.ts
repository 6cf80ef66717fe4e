import type pg from 'pg';

/** DbActivity is a snapshot of what the database has written so far. */
export interface DbActivity {
  /** Rows inserted, updated and deleted per table (pg_stat_user_tables), the bench's own excluded. */
  tables: Map<string, { inserted: number; updated: number; deleted: number }>;
  /** Current WAL position, in bytes. */
  walBytes: bigint;
  /** Highest `inventory_event.sequence` (0 when none). */
  lastEventSequence: number;
}

/** DbActivityDelta is what was written between two snapshots. */
export interface DbActivityDelta {
  /** Rows written (inserted + updated + deleted) per table, only tables with writes. */
  rowsByTable: Record<string, number>;
  /** Rows written in every table but `pve_cluster` (whose status columns the sync records). */
  inventoryRows: number;
  /** Rows written to `pve_cluster`. */
  clusterRows: number;
  walBytes: number;
  events: number;
}

/** BENCH_TABLE_PREFIX marks the benchmark's own scratch tables, left out of the activity. */
export const BENCH_TABLE_PREFIX = 'bench_';

/**
 * dbActivity reads the write counters. pg_stat_user_tables lags: a backend reports its counts
 * when it goes idle, within about 10 s in PostgreSQL 15+, so callers leave time around a window.
 */
export async function dbActivity(pool: pg.Pool): Promise<DbActivity> {
  const [stats, wal, lastSequence] = await Promise.all([
    pool.query<{ relname: string; ins: string; upd: string; del: string }>(
      `select relname, n_tup_ins as ins, n_tup_upd as upd, n_tup_del as del
         from pg_stat_user_tables where relname not like $1`,
      [`${BENCH_TABLE_PREFIX}%`],
    ),
    pool.query<{ lsn: string }>(`select (pg_current_wal_lsn() - '0/0'::pg_lsn)::text as lsn`),
    lastEventSequence(pool),
  ]);
  return {
    tables: new Map(
      stats.rows.map((row) => [
        row.relname,
        { inserted: Number(row.ins), updated: Number(row.upd), deleted: Number(row.del) },
      ]),
    ),
    walBytes: BigInt(wal.rows[0]!.lsn.split('.')[0]!),
    lastEventSequence: lastSequence,
  };
}

/** activityDelta is what was written between `before` and `after`. */
export function activityDelta(before: DbActivity, after: DbActivity): DbActivityDelta {
  const rowsByTable: Record<string, number> = {};
  let inventoryRows = 0;
  let clusterRows = 0;
  for (const [table, now] of after.tables) {
    const then = before.tables.get(table) ?? { inserted: 0, updated: 0, deleted: 0 };
    const rows =
      now.inserted - then.inserted + (now.updated - then.updated) + (now.deleted - then.deleted);
    if (rows === 0) continue;
    rowsByTable[table] = rows;
    if (table === 'pve_cluster') clusterRows += rows;
    else inventoryRows += rows;
  }
  return {
    rowsByTable,
    inventoryRows,
    clusterRows,
    walBytes: Number(after.walBytes - before.walBytes),
    events: after.lastEventSequence - before.lastEventSequence,
  };
}

/** countRows counts the rows of a table (the inventory tables only). */
export async function countRows(pool: pg.Pool, table: 'pve_vm' | 'pve_node'): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return rows[0]!.n;
}

/** lastEventSequence is the highest `inventory_event.sequence` (0 when the log is empty). */
export async function lastEventSequence(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ seq: string | null }>(
    'select max(sequence)::text as seq from inventory_event',
  );
  return Number(rows[0]?.seq ?? 0);
}
