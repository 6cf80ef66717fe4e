/**
 * Poll phases: when every cluster polls on the same beat, their answers arrive together and the
 * cycles queue behind one another on the event loop (and PVE-side, a shared proxy or monitoring
 * sees bursts). Each cluster instead polls on its own phase within the interval, spread by the
 * golden ratio: consecutive cluster ids land far apart whatever their number (the three-gap
 * theorem), with no coordination between clusters and no state. The usage flushes are spread
 * the same way over the metrics interval (SyncSettings.metricsPhaseMs).
 */

/** GOLDEN_FRACTION is the fractional part of the golden ratio. */
const GOLDEN_FRACTION = 0.6180339887498949;

/** pollPhaseMs is where in each poll interval cluster `id` polls: a value in [0, intervalMs). */
export function pollPhaseMs(id: number, intervalMs: number): number {
  const fraction = (id * GOLDEN_FRACTION) % 1;
  return Math.floor(fraction * intervalMs);
}

/**
 * nextPollAt is when to poll after a poll that started at `startedAt`: the first time on the
 * phase (`phaseMs + k·intervalMs`) at least half an interval later. Polls stay one interval apart
 * on the phase, however long each cycle took; only the first after a start (which polls at once)
 * is moved, by at most half an interval either way. Without a phase: one interval later.
 */
export function nextPollAt(startedAt: number, intervalMs: number, phaseMs?: number): number {
  if (phaseMs === undefined) return startedAt + intervalMs;
  const earliest = startedAt + intervalMs / 2;
  const k = Math.ceil((earliest - phaseMs) / intervalMs);
  return phaseMs + k * intervalMs;
}
