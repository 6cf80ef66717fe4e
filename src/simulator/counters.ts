import type { RouteKind } from './router.js';

/**
 * RequestCountSnapshot is a copy of the counters: API calls in total and by kind (`list` calls
 * like `/cluster/resources` or `/nodes/{node}/qemu`, per-guest `detail` calls, `other`), by
 * endpoint (`GET /nodes/{node}/qemu`, `GET (unknown)`) and by answered HTTP status.
 */
export interface RequestCountSnapshot {
  total: number;
  list: number;
  detail: number;
  other: number;
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
}

/** RequestCounters counts API calls (admin calls are not counted); resettable. */
export class RequestCounters {
  private counts = emptySnapshot();

  /** record counts one call to `endpoint` of `kind`. */
  record(endpoint: string, kind: RouteKind): void {
    this.counts.total++;
    this.counts[kind]++;
    this.counts.byEndpoint[endpoint] = (this.counts.byEndpoint[endpoint] ?? 0) + 1;
  }

  /** recordStatus counts one answer with HTTP `status` (0 for calls that got no answer). */
  recordStatus(status: number): void {
    const key = String(status);
    this.counts.byStatus[key] = (this.counts.byStatus[key] ?? 0) + 1;
  }

  /** snapshot returns a copy of the current counts. */
  snapshot(): RequestCountSnapshot {
    return {
      ...this.counts,
      byEndpoint: { ...this.counts.byEndpoint },
      byStatus: { ...this.counts.byStatus },
    };
  }

  /** reset sets every count back to zero. */
  reset(): void {
    this.counts = emptySnapshot();
  }
}

function emptySnapshot(): RequestCountSnapshot {
  return { total: 0, list: 0, detail: 0, other: 0, byEndpoint: {}, byStatus: {} };
}
