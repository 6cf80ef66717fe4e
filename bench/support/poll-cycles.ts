import type { ListCall } from './simulators.js';

/** META_ENDPOINTS are list calls the sync makes only at start, on node changes and on resync. */
const META_ENDPOINTS = new Set(['GET /cluster/status']);

/** PollCycles is what one cluster's list calls in a window say about its poll cycles. */
export interface PollCycles {
  /** Poll cycles that started and ended inside the window. */
  cycles: number;
  /** List calls of those cycles (without /cluster/status). */
  listCalls: number;
  /** /cluster/status calls in those cycles. */
  metaCalls: number;
  /** Calls per endpoint in those cycles. */
  byEndpoint: Record<string, number>;
}

/**
 * pollCycles groups a cluster's list calls into poll cycles — the calls of one cycle come in a
 * burst, cycles are a poll interval apart, so a pause longer than `gapMs` (half the interval)
 * starts a new cycle — and counts the cycles that lie entirely within [from, to].
 */
export function pollCycles(
  calls: readonly ListCall[],
  from: number,
  to: number,
  gapMs: number,
): PollCycles {
  const sorted = [...calls].sort((a, b) => a.receivedAt - b.receivedAt);
  const bursts: ListCall[][] = [];
  for (const call of sorted) {
    const current = bursts.at(-1);
    const last = current?.at(-1);
    if (current && last && call.receivedAt - last.sentAt <= gapMs) current.push(call);
    else bursts.push([call]);
  }
  const result: PollCycles = { cycles: 0, listCalls: 0, metaCalls: 0, byEndpoint: {} };
  for (const burst of bursts) {
    if (burst[0]!.receivedAt < from || burst.at(-1)!.sentAt > to) continue;
    result.cycles++;
    for (const call of burst) {
      if (META_ENDPOINTS.has(call.endpoint)) result.metaCalls++;
      else result.listCalls++;
      result.byEndpoint[call.endpoint] = (result.byEndpoint[call.endpoint] ?? 0) + 1;
    }
  }
  return result;
}
