/**
 * monotonicMs reads CLOCK_MONOTONIC in milliseconds: one clock for every process of the machine,
 * so times read in two processes of the benchmark can be compared.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** toPerformanceTime turns a {@link monotonicMs} reading into this process's performance.now(). */
export function toPerformanceTime(monotonic: number): number {
  return monotonic - (monotonicMs() - performance.now());
}
