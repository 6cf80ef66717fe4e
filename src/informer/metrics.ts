import type { DeltaType } from './delta-fifo.js';

/**
 * InformerMetrics are the hooks through which the framework reports what it does; the caller
 * maps them onto its metrics library (prom-client in pvesphere). Every hook is labelled with the
 * `name` of the reflector, polling watch, DeltaFIFO or work queue reporting it. Hooks are called
 * synchronously on hot paths: they must be cheap and must not throw.
 */
export interface InformerMetrics {
  /** observeListDuration records how long one list (or one poll) took, in seconds. */
  observeListDuration(name: string, seconds: number): void;
  /** incListErrors counts one failed list (or poll). */
  incListErrors(name: string): void;
  /** setQueueDepth reports the number of keys waiting in a DeltaFIFO or a work queue. */
  setQueueDepth(name: string, depth: number): void;
  /** incDeltas counts deltas enqueued into a DeltaFIFO, by delta type. */
  incDeltas(name: string, type: DeltaType, count: number): void;
}

/** noopInformerMetrics discards every measurement; it is the default everywhere. */
export const noopInformerMetrics: InformerMetrics = {
  observeListDuration() {},
  incListErrors() {},
  setQueueDepth() {},
  incDeltas() {},
};
