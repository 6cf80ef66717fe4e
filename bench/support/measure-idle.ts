import type pg from 'pg';
import { activityDelta, type DbActivityDelta, dbActivity } from './db-activity.js';
import { type PollCycles, pollCycles } from './poll-cycles.js';
import { processCpuMs } from './proc.js';
import { histogramMean, scrapeMetrics } from './prometheus.js';
import type { BenchCluster } from './simulators.js';
import { sleep } from './timing.js';
import { type TouchedRows, touchedRowsSince } from './touched-rows.js';

/** IdleWindow is what the server did over steady poll cycles in which nothing changed in PVE. */
export interface IdleWindow {
  windowMs: number;
  /** Poll cycles per cluster found in the simulators' list calls. */
  perCluster: PollCycles[];
  /** Sum over the clusters. */
  cycles: number;
  listCalls: number;
  metaCalls: number;
  detailCalls: number;
  /** Sync cycles the server counted (pvesphere_sync_cycles_total), by outcome. */
  serverCycles: Record<string, number>;
  /** Mean duration of the unchanged cycles (list, diff; ms), from the server's histogram. */
  cycleMs: number;
  serverCpuMs: number;
  /** Events counted by the server (pvesphere_inventory_events_total) in the window. */
  eventsCounted: number;
  /** pg_stat_user_tables / WAL / event log deltas over the window. */
  db: DbActivityDelta;
  /** Inventory rows whose write timestamps fall in the window. */
  touched: TouchedRows;
}

/**
 * measureIdleWindow watches `cyclesPerCluster` poll cycles of every cluster while nothing changes
 * in PVE and reports the list calls per cycle, the server's CPU time, the rows written and the
 * events. Start it after the server has been quiet for 10 s, so that pg_stat counters (reported
 * by idle backends within 10 s) hold nothing from before.
 */
export async function measureIdleWindow(options: {
  pool: pg.Pool;
  origin: string;
  serverPid: number;
  clusters: readonly BenchCluster[];
  pollIntervalMs: number;
  cyclesPerCluster: number;
}): Promise<IdleWindow> {
  const { pool, origin, clusters, pollIntervalMs } = options;
  const [activityBefore, metricsBefore, cpuBefore] = await Promise.all([
    dbActivity(pool),
    scrapeMetrics(origin),
    processCpuMs(options.serverPid),
  ]);
  const { rows } = await pool.query<{ now: Date }>('select clock_timestamp() as now');
  const dbStart = rows[0]!.now;
  const detailsBefore = clusters.map((cluster) => cluster.details.length);
  const from = performance.now();
  await sleep(pollIntervalMs * (options.cyclesPerCluster + 0.5));
  const to = performance.now();
  const [metricsAfter, cpuAfter] = await Promise.all([
    scrapeMetrics(origin),
    processCpuMs(options.serverPid),
  ]);
  const [activityAfter, touched] = await Promise.all([
    dbActivity(pool),
    touchedRowsSince(pool, dbStart),
  ]);
  const perCluster = clusters.map((cluster) =>
    pollCycles(cluster.lists, from, to, pollIntervalMs / 2),
  );
  const serverCycles: Record<string, number> = {};
  for (const outcome of ['changed', 'unchanged', 'error']) {
    serverCycles[outcome] =
      metricsAfter.sum('pvesphere_sync_cycles_total', { outcome }) -
      metricsBefore.sum('pvesphere_sync_cycles_total', { outcome });
  }
  return {
    windowMs: to - from,
    perCluster,
    cycles: perCluster.reduce((sum, c) => sum + c.cycles, 0),
    listCalls: perCluster.reduce((sum, c) => sum + c.listCalls, 0),
    metaCalls: perCluster.reduce((sum, c) => sum + c.metaCalls, 0),
    detailCalls: clusters.reduce((sum, c, i) => sum + c.details.length - detailsBefore[i]!, 0),
    serverCycles,
    cycleMs:
      histogramMean(metricsBefore, metricsAfter, 'pvesphere_sync_cycle_duration_seconds', {
        outcome: 'unchanged',
      }).mean * 1000,
    serverCpuMs: cpuAfter - cpuBefore,
    eventsCounted:
      metricsAfter.sum('pvesphere_inventory_events_total') -
      metricsBefore.sum('pvesphere_inventory_events_total'),
    db: activityDelta(activityBefore, activityAfter),
    touched,
  };
}
