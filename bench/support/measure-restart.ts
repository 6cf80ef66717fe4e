import type pg from 'pg';
import { lastEventSequence } from './db-activity.js';
import { processRssBytes } from './proc.js';
import type { ServerMemory, ServerProcess } from './server-process.js';
import type { BenchCluster } from './simulators.js';
import { sleep, waitFor } from './timing.js';
import { addTouched, type TouchedRows, touchedRowsSince } from './touched-rows.js';

/** Restart is what a restarted server wrote, held in memory and fetched while PVE stood still. */
export interface Restart {
  /**
   * Inventory rows each restarted server wrote from its start until its clusters were polled
   * `polls` times, added up (a stop's usage flush is not counted).
   */
  touched: TouchedRows;
  events: number;
  polls: number;
  /**
   * Memory of a server restarted with the first half of the clusters, then of one restarted with
   * every cluster, each once its clusters were polled: one pair of readings per memoryPairs().
   */
  pairs: MemoryPair[];
  /** The first pair's readings. */
  memoryFirst: RestartMemory;
  memoryAll: RestartMemory;
  /** (RSS with all − RSS with the first half) / the guests of the second half, mean of the pairs. */
  marginalRssPerGuest: number;
  /** The same from the RSS read before V8's memory-reducing collection (ordinaryRss). */
  marginalOrdinaryRssPerGuest: number;
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

/** RestartMemory is one restarted server's memory reading and the guests it held. */
export type RestartMemory = ServerMemory & { rawRss: number; guests: number };

/**
 * MEMORY_NOISE_GUESTS sizes how many pairs of servers the marginal memory averages
 * (memoryPairs): servers that did the same work differ outside the V8 heap (glibc's arenas, which
 * V8 and binary pages are resident) — compiled servers with 5 and with 10 × 1,000 guests read
 * 104.1–113.8 and 113.0–120.0 MiB in five runs each — so one pair's figure is off by about
 * 5 MiB / the guests added: ~1 KiB per guest at the 5,000 the large scenario adds, ~0.1 KiB at
 * xl's 50,000. Pairs are added until the guests they add come to 20,000 in all (two to four).
 */
export const MEMORY_NOISE_GUESTS = 20_000;

/**
 * memoryPairs is how many times the two servers of the marginal memory are restarted, in turn,
 * for a second server that adds `guestsAdded`: enough that their guests added come to
 * MEMORY_NOISE_GUESTS, at least two and at most four (four at 5,000 added, two from 10,000).
 */
export function memoryPairs(guestsAdded: number): number {
  return Math.min(4, Math.max(2, Math.ceil(MEMORY_NOISE_GUESTS / Math.max(1, guestsAdded))));
}

/** MemoryPair is the readings of the two servers restarted in turn. */
export interface MemoryPair {
  first: RestartMemory;
  all: RestartMemory;
}

/** perGuestOfPairs is, for each pair, (all − first) / the guests added, of what `read` reads. */
export function perGuestOfPairs(
  pairs: readonly MemoryPair[],
  read: (memory: RestartMemory) => number,
): number[] {
  return pairs.map(({ first, all }) => (read(all) - read(first)) / (all.guests - first.guests));
}

/** marginalPerGuest is the mean of perGuestOfPairs. */
function marginalPerGuest(
  pairs: readonly MemoryPair[],
  read: (memory: RestartMemory) => number,
): number {
  const perPair = perGuestOfPairs(pairs, read);
  return perPair.reduce((sum, value) => sum + value, 0) / perPair.length;
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
 * settledTouchedRows counts the rows touched since `since` once the count stops growing (read
 * every second, at most a minute): a usage flush of 100,000 guests takes seconds to write.
 */
async function settledTouchedRows(pool: pg.Pool, since: Date): Promise<TouchedRows> {
  let last = await touchedRowsSince(pool, since);
  for (let i = 0; i < 60; i++) {
    await sleep(1000);
    const now = await touchedRowsSince(pool, since);
    if (now.total === last.total) return now;
    last = now;
  }
  return last;
}

/**
 * measureRestart restarts the server on the database the previous run filled — guest details
 * known, so their refreshes are spread over PVESPHERE_IP_REFRESH_INTERVAL as in a long-running
 * server — memoryPairs() times in turn: once with only the first half of the clusters enabled (the
 * others disabled by SQL before the start), then, stopped and started again, with every cluster.
 * It measures: what the restarts write before a usage flush (nothing is expected); the memory of
 * each server once its clusters were polled `polls` times (the difference per guest is the
 * marginal memory of a cached guest: code, pools, buffers and the start-up's own memory are paid
 * in both, by processes that did the same work in the same order; what a cluster costs of its
 * own, its connections and sync, counts to its guests); the steady detail-call rate of the last
 * server over `detailWindowMs`, and the rows of its first usage flush. `metricsIntervalMs` must
 * outlast each server's first polls and memory reading.
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
  const guestsOf = (group: readonly BenchCluster[]) =>
    group.reduce((sum, c) => sum + c.sim.control.guests().length, 0);
  const setEnabled = (ids: readonly string[], enabled: boolean) =>
    pool.query('update pve_cluster set is_enabled = $2 where id = any($1::int[])', [
      ids.map(Number),
      enabled ? 1 : 0,
    ]);
  /**
   * restartWith starts a server with `group` enabled; once the group was polled `polls` times it
   * reads what the server wrote meanwhile, then its memory.
   */
  const restartWith = async (
    group: readonly BenchCluster[],
    point: 'first' | 'all',
    pair: number,
  ) => {
    const sequenceBefore = await lastEventSequence(pool);
    const { rows } = await pool.query<{ now: Date }>('select clock_timestamp() as now');
    const since = rows[0]!.now;
    const started = performance.now();
    const server = await options.start();
    await waitForPolls(group, polls, started);
    const [touched, sequenceAfter] = await Promise.all([
      touchedRowsSince(pool, since),
      lastEventSequence(pool),
    ]);
    await sleep(1000);
    const memory = {
      ...(await server.memory()),
      rawRss: await processRssBytes(server.pid),
      guests: guestsOf(group),
    };
    if (pair === 0) await options.onMemory?.(point, server);
    if (performance.now() - started >= options.metricsIntervalMs) {
      await server.stop();
      throw new Error(
        'restart: the first usage flush came before the measures it must not disturb',
      );
    }
    return { server, memory, started, since, touched, events: sequenceAfter - sequenceBefore };
  };

  const pairs: MemoryPair[] = [];
  const runs: Array<Awaited<ReturnType<typeof restartWith>>> = [];
  const pairCount = memoryPairs(guestsOf(clusters) - guestsOf(first));
  for (let pair = 0; pair < pairCount; pair++) {
    await setEnabled(clusterIds.slice(half), false);
    const firstRun = await restartWith(first, 'first', pair);
    // Its shutdown writes the usage it polled (as a stop does): not a restart's write.
    await firstRun.server.stop();
    await setEnabled(clusterIds.slice(half), true);
    const allRun = await restartWith(clusters, 'all', pair);
    runs.push(firstRun, allRun);
    pairs.push({ first: firstRun.memory, all: allRun.memory });
    // The last server stays up for the detail calls and the usage flush.
    if (pair < pairCount - 1) await allRun.server.stop();
  }
  const secondRun = runs.at(-1)!;
  const { server, started } = secondRun;
  const touched = runs.map((run) => run.touched).reduce(addTouched);

  const windowFrom = performance.now();
  // The heap snapshots (when profiling) may have taken a while: the window starts now.
  await sleep(
    Math.max(options.detailWindowMs, started + options.metricsIntervalMs + 3000 - windowFrom),
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
  const flushed = await settledTouchedRows(pool, secondRun.since);
  const windowMs = windowTo - windowFrom;
  return {
    server,
    restart: {
      touched,
      events: runs.reduce((sum, run) => sum + run.events, 0),
      polls,
      pairs,
      memoryFirst: pairs[0]!.first,
      memoryAll: pairs[0]!.all,
      marginalRssPerGuest: marginalPerGuest(pairs, (m) => m.rss),
      marginalOrdinaryRssPerGuest: marginalPerGuest(pairs, (m) => m.ordinaryRss),
      marginalHeapPerGuest: marginalPerGuest(pairs, (m) => m.heapUsed),
      detailCallsPerHourPer1000Running:
        windowCalls.length / (windowMs / 3_600_000) / Math.max(1e-9, runningGuests / 1000),
      detailCalls: windowCalls.length,
      detailCallsByEndpoint,
      detailGuests: new Set(windowCalls.map((call) => `${call.cluster}/${call.vmid}`)).size,
      detailWindowMs: windowMs,
      runningGuests,
      flushRowsPerCluster: (flushed.total - secondRun.touched.total) / clusters.length,
      metricsIntervalMs: options.metricsIntervalMs,
    },
  };
}
