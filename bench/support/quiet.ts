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

/**
 * waitForFirstDetails resolves once every guest of every simulator has been asked for its
 * details at least once (config; agent or interfaces when running) and no event has been written
 * for `quietMs`: the server's first detail pass is over. Unlike {@link waitForQuiet} it does not
 * wait for detail calls to stop — at 100,000 guests the spread IP refresh (one call per running
 * guest per `PVESPHERE_IP_REFRESH_INTERVAL`) never leaves a quiet gap. `lastActivityAt` is the
 * later of the last first-time detail call and the last event. `onProgress` hears how many guests
 * had their first details.
 */
export async function waitForFirstDetails(
  pool: pg.Pool,
  clusters: readonly BenchCluster[],
  quietMs: number,
  {
    timeoutMs = 600_000,
    onProgress,
  }: { timeoutMs?: number; onProgress?: (guests: number) => void } = {},
): Promise<QuietResult> {
  const deadline = performance.now() + timeoutMs;
  const seen = clusters.map(() => new Set<number>());
  const scanned = clusters.map(() => 0);
  let lastFirstAt = 0;
  let sequence = await lastEventSequence(pool);
  let lastEventSeenAt = Math.max(0, await lastEventAt(pool));
  for (;;) {
    await sleep(Math.min(250, quietMs / 4));
    let covered = 0;
    let complete = true;
    clusters.forEach((cluster, i) => {
      const calls = cluster.details;
      for (let j = scanned[i]!; j < calls.length; j++) {
        const call = calls[j]!;
        if (!seen[i]!.has(call.vmid)) {
          seen[i]!.add(call.vmid);
          lastFirstAt = Math.max(lastFirstAt, call.sentAt);
        }
      }
      scanned[i] = calls.length;
      covered += seen[i]!.size;
      if (seen[i]!.size < cluster.sim.control.guests().length) complete = false;
    });
    onProgress?.(covered);
    const seq = await lastEventSequence(pool);
    if (seq !== sequence) {
      sequence = seq;
      lastEventSeenAt = performance.now() - 250;
    }
    const now = performance.now();
    // A guest that is never asked (none should be) must not hang the benchmark: after ten
    // quiet periods without a new guest, the pass is over anyway.
    const firstPassOver = complete || now - lastFirstAt >= 10 * quietMs;
    if (firstPassOver && now - lastEventSeenAt >= quietMs) {
      return {
        lastActivityAt: Math.max(lastFirstAt, lastEventSeenAt),
        detailCalls: totalDetailCalls(clusters),
        lastEventSequence: sequence,
      };
    }
    if (now > deadline) {
      throw new Error(`the first guest details did not end within ${timeoutMs} ms`);
    }
  }
}
