import { monitorEventLoopDelay } from 'node:perf_hooks';

/** LoopDelay is how late this process's event loop ran timers during a window (ms). */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/**
 * watchLoopDelay samples this process's event-loop delay until the returned function is called,
 * which reports it: how much a measured receipt time could be late because the benchmark process
 * itself (simulators, clients) was busy.
 */
export function watchLoopDelay(): () => LoopDelay {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return () => {
    histogram.disable();
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    return {
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
    };
  };
}
