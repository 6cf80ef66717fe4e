import type pg from 'pg';
import { lastEventSequence } from './db-activity.js';
import type { BenchCluster } from './simulators.js';
import { sleep } from './timing.js';

/** QuietResult is when the server stopped writing events and fetching details. */
export interface QuietResult {
  /** performance.now() of the last event or detail call seen. */
  lastActivityAt: number;
  /** Detail calls answered by all simulators so far. */
  detailCalls: number;
  /** Highest event sequence so far. */
  lastEventSequence: number;
}

/**
 * lastEventAt is when the newest event was written, on this process's performance.now() clock
 * (the database runs on this machine's clock), plus a second for its transaction to commit.
 */
async function lastEventAt(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ ms: string | null }>(
    'select (extract(epoch from max(at)) * 1000)::text as ms from inventory_event',
  );
  const ms = rows[0]?.ms;
  return ms == null ? 0 : Number(ms) - performance.timeOrigin + 1000;
}

/** totalDetailCalls is the number of detail calls all simulators answered. */
export function totalDetailCalls(clusters: readonly BenchCluster[]): number {
  return clusters.reduce((sum, cluster) => sum + cluster.details.length, 0);
}

/**
 * waitForQuiet resolves once no event has been written and no detail call answered for
 * `quietMs`: the server has nothing left to do (its inventory writes always come with events,
 * and pg_stat counters of an idle backend are flushed within 10 s). With `eventsOnly`, detail
 * calls do not count (at 100,000 guests, retries of guests whose agent does not answer never
 * stop; they write nothing unless something changed). `onProgress` hears the detail calls
 * answered so far.
 */
export async function waitForQuiet(
  pool: pg.Pool,
  clusters: readonly BenchCluster[],
  quietMs: number,
  {
    timeoutMs = 600_000,
    eventsOnly = false,
    onProgress,
  }: { timeoutMs?: number; eventsOnly?: boolean; onProgress?: (calls: number) => void } = {},
): Promise<QuietResult> {
  const deadline = performance.now() + timeoutMs;
  let detailCalls = totalDetailCalls(clusters);
  let sequence = await lastEventSequence(pool);
  const lastDetailAt = () =>
    eventsOnly
      ? 0
      : clusters.reduce((latest, c) => Math.max(latest, c.details.at(-1)?.sentAt ?? 0), 0);
  let lastActivityAt = Math.max(lastDetailAt(), await lastEventAt(pool));
  for (;;) {
    await sleep(Math.min(250, quietMs / 4));
    const calls = totalDetailCalls(clusters);
    const seq = await lastEventSequence(pool);
    if ((!eventsOnly && calls !== detailCalls) || seq !== sequence) {
      lastActivityAt = Math.max(performance.now() - 250, lastDetailAt());
      detailCalls = calls;
      sequence = seq;
      onProgress?.(calls);
    }
    if (performance.now() - lastActivityAt >= quietMs) {
      return { lastActivityAt, detailCalls, lastEventSequence: sequence };
    }
    if (performance.now() > deadline) {
      throw new Error(`the server did not become quiet within ${timeoutMs} ms`);
    }
  }
}
