import type pg from 'pg';
import { lastEventSequence } from './db-activity.js';
import { GraphQLHttpClient } from './graphql-http.js';
import { processRssBytes } from './proc.js';
import { enableClusters } from './registered-clusters.js';
import type { ServerMemory, ServerProcess } from './server-process.js';
import type { BenchCluster } from './simulators.js';
import { sleep, waitFor } from './timing.js';
import { type TouchedRows, touchedRowsSince } from './touched-rows.js';

/** Restart is what a restarted server wrote, held in memory and fetched while PVE stood still. */
export interface Restart {
  /** Inventory rows written from the restart until every cluster polled `polls` times. */
  touched: TouchedRows;
  events: number;
  polls: number;
  /** Memory with the first group of clusters synced, then with every cluster synced. */
  memoryFirst: ServerMemory & { rawRss: number; guests: number };
  memoryAll: ServerMemory & { rawRss: number; guests: number };
  /** (RSS with all − RSS with the first group) / the guests of the second group. */
  marginalRssPerGuest: number;
  marginalHeapPerGuest: number;
  /** Detail calls per hour per 1,000 running guests, measured over `detailWindowMs`. */
  detailCallsPerHourPer1000Running: number;
  detailCalls: number;
  /** Detail calls of the window by endpoint, and how many distinct guests they were about. */
  detailCallsByEndpoint: Record<string, number>;
  detailGuests: number;
  detailWindowMs: number;
  runningGuests: number;
  /** Rows the first usage flush wrote (metrics_updated_at set), per cluster. */
  flushRowsPerCluster: number;
  metricsIntervalMs: number;
}

/** waitForPolls waits until each cluster answered `polls` `/cluster/resources` calls after `since`. */
function waitForPolls(clusters: readonly BenchCluster[], polls: number, since: number) {
  return waitFor(
    `${polls} polls of ${clusters.length} cluster(s)`,
    () =>
      clusters.every((c) => c.polls.filter((p) => p.receivedAt >= since).length >= polls)
        ? true
        : undefined,
    { everyMs: 50, timeoutMs: 300_000 },
  );
}

/**
 * measureRestart restarts the server on the database the previous run filled — guest details
 * known, so their refreshes are spread over PVESPHERE_IP_REFRESH_INTERVAL as in a long-running
 * server — with only the first half of the clusters enabled (disabled by SQL before the start),
 * then enables the second half. It measures: what the restart writes before the first usage
 * flush (nothing is expected), the server's memory with the first half and with every cluster
 * synced (the difference per guest is the marginal memory of a cached guest: code, pools and
 * buffers are paid in both), the steady detail-call rate over `detailWindowMs`, and the rows of
 * the first usage flush. `metricsIntervalMs` must outlast both halves' first polls.
 */
export async function measureRestart(options: {
  pool: pg.Pool;
  clusters: readonly BenchCluster[];
  clusterIds: readonly string[];
  start: () => Promise<ServerProcess>;
  polls: number;
  metricsIntervalMs: number;
  detailWindowMs: number;
  /** Called after each memory reading (heap snapshots when profiling). */
  onMemory?: (point: 'first' | 'all', server: ServerProcess) => Promise<void>;
}): Promise<{ restart: Restart; server: ServerProcess }> {
  const { pool, clusters, clusterIds, polls } = options;
  const half = Math.floor(clusters.length / 2);
  const first = clusters.slice(0, half);
  const second = clusters.slice(half);
  const guestsOf = (group: readonly BenchCluster[]) =>
    group.reduce((sum, c) => sum + c.sim.control.guests().length, 0);
  await pool.query('update pve_cluster set is_enabled = 0 where id = any($1::int[])', [
    clusterIds.slice(half).map(Number),
  ]);
  const sequenceBefore = await lastEventSequence(pool);
  const { rows } = await pool.query<{ now: Date }>('select clock_timestamp() as now');
  const dbStart = rows[0]!.now;
  const started = performance.now();
  const server = await options.start();
  await waitForPolls(first, polls, started);
  await sleep(1000);
  const memoryFirst = {
    ...(await server.memory()),
    rawRss: await processRssBytes(server.pid),
    guests: guestsOf(first),
  };
  await options.onMemory?.('first', server);

  const enabledAt = performance.now();
  const client = new GraphQLHttpClient(server.origin, second.length);
  await enableClusters(client, clusterIds.slice(half));
  await client.close();
  await waitForPolls(second, polls, enabledAt);
  const [touched, sequenceAfter] = await Promise.all([
    touchedRowsSince(pool, dbStart),
    lastEventSequence(pool),
  ]);
  await sleep(1000);
  const memoryAll = {
    ...(await server.memory()),
    rawRss: await processRssBytes(server.pid),
    guests: guestsOf(clusters),
  };
  await options.onMemory?.('all', server);
  if (performance.now() - started >= options.metricsIntervalMs) {
    throw new Error('restart: the first usage flush came before the measures it must not disturb');
  }

  const windowFrom = performance.now();
  // The heap snapshots (when profiling) may have taken a while: the window starts now.
  await sleep(
    Math.max(options.detailWindowMs, enabledAt + options.metricsIntervalMs + 3000 - windowFrom),
  );
  const windowTo = performance.now();
  const windowCalls = clusters.flatMap((c) =>
    c.details
      .filter((d) => d.sentAt >= windowFrom && d.sentAt <= windowTo)
      .map((d) => ({ ...d, cluster: c.index })),
  );
  const detailCallsByEndpoint: Record<string, number> = {};
  for (const call of windowCalls)
    detailCallsByEndpoint[call.endpoint] = (detailCallsByEndpoint[call.endpoint] ?? 0) + 1;
  const runningGuests = clusters.reduce(
    (sum, c) =>
      sum + c.sim.control.guests().filter((g) => g.status === 'running' && !g.template).length,
    0,
  );
  const flushed = await touchedRowsSince(pool, dbStart);
  const windowMs = windowTo - windowFrom;
  const secondGuests = memoryAll.guests - memoryFirst.guests;
  return {
    server,
    restart: {
      touched,
      events: sequenceAfter - sequenceBefore,
      polls,
      memoryFirst,
      memoryAll,
      marginalRssPerGuest: (memoryAll.rss - memoryFirst.rss) / secondGuests,
      marginalHeapPerGuest: (memoryAll.heapUsed - memoryFirst.heapUsed) / secondGuests,
      detailCallsPerHourPer1000Running:
        windowCalls.length / (windowMs / 3_600_000) / Math.max(1e-9, runningGuests / 1000),
      detailCalls: windowCalls.length,
      detailCallsByEndpoint,
      detailGuests: new Set(windowCalls.map((call) => `${call.cluster}/${call.vmid}`)).size,
      detailWindowMs: windowMs,
      runningGuests,
      flushRowsPerCluster: (flushed.total - touched.total) / clusters.length,
      metricsIntervalMs: options.metricsIntervalMs,
    },
  };
}
