import { GraphQLHttpClient } from './graphql-http.js';
import { VM_PAGE } from './operations.js';
import { ownCpuMs, processCpuMs, processTreeCpuMs } from './proc.js';
import { type Stats, stats } from './stats.js';
import { sleep } from './timing.js';

/** QueryLoad is the outcome of a fixed-concurrency query load. */
export interface QueryLoad {
  concurrency: number;
  seconds: number;
  requests: number;
  errors: number;
  perSecond: number;
  latencyMs: Stats;
  /** CPU time per request (ms) of the server, of PostgreSQL and of the load generator (this process, simulators included). */
  cpuMsPerRequest: { server: number; postgres: number; loadGenerator: number };
  /** The filters cycled through. */
  filters: Array<Record<string, unknown>>;
  /** Guests matched by each filter (totalCount), in the same order. */
  matched: number[];
  /** Size of each filter's response body (bytes), in the same order. */
  responseBytes: number[];
}

/**
 * dashboardFilters are the `vms` filters the load cycles through: the shapes a dashboard sends —
 * one cluster's running production guests, one cluster's running guests, a name search in one
 * cluster, and a status + tag filter across every cluster.
 */
export function dashboardFilters(clusterIds: readonly string[]): Array<Record<string, unknown>> {
  const filters: Array<Record<string, unknown>> = [];
  clusterIds.forEach((clusterId, i) => {
    filters.push({ clusterId, status: 'running', tag: 'prod' });
    filters.push({ clusterId, status: 'running' });
    filters.push({ clusterId, nameContains: ['db-', 'web-', 'api-', 'cache-'][i % 4] });
  });
  filters.push({ status: 'stopped', tag: 'db' });
  filters.push({ tag: 'web' });
  return filters;
}

/**
 * measureQueries runs `vms(first: 100, filter: …)` from `concurrency` loops over as many
 * keep-alive connections for `seconds` after `warmupSeconds`, cycling through the filters, and
 * reports latency, throughput and the server's CPU time per request.
 */
export async function measureQueries(options: {
  origin: string;
  clusterIds: readonly string[];
  serverPid: number;
  postgresPid: number;
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
}): Promise<QueryLoad> {
  const { concurrency, seconds } = options;
  const client = new GraphQLHttpClient(options.origin, concurrency);
  const filters = dashboardFilters(options.clusterIds);
  try {
    const matched: number[] = [];
    const responseBytes: number[] = [];
    for (const filter of filters) {
      const response = await fetch(`${options.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query: VM_PAGE, variables: { filter, first: 100 } }),
      });
      const text = await response.text();
      responseBytes.push(Buffer.byteLength(text));
      matched.push(
        (JSON.parse(text) as { data: { vms: { totalCount: number } } }).data.vms.totalCount,
      );
    }
    const latencies: number[] = [];
    let errors = 0;
    let counter = 0;
    const warmUntil = performance.now() + options.warmupSeconds * 1000;
    const stopAt = warmUntil + seconds * 1000;
    const cpuNow = async () => ({
      server: await processCpuMs(options.serverPid),
      postgres: await processTreeCpuMs(options.postgresPid),
      loadGenerator: ownCpuMs(),
    });
    const cpuAtStart = sleep(warmUntil - performance.now()).then(cpuNow);
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < stopAt) {
          const filter = filters[counter++ % filters.length]!;
          const started = performance.now();
          try {
            const response = await client.raw(VM_PAGE, { filter, first: 100 });
            if (response.errors?.length) errors++;
          } catch {
            errors++;
          }
          if (started >= warmUntil) latencies.push(performance.now() - started);
        }
      }),
    );
    const [cpuAtEnd, cpuBefore] = [await cpuNow(), await cpuAtStart];
    const perRequest = (key: keyof typeof cpuAtEnd) =>
      (cpuAtEnd[key] - cpuBefore[key]) / Math.max(1, latencies.length);
    return {
      concurrency,
      seconds,
      requests: latencies.length,
      errors,
      perSecond: latencies.length / seconds,
      latencyMs: stats(latencies),
      cpuMsPerRequest: {
        server: perRequest('server'),
        postgres: perRequest('postgres'),
        loadGenerator: perRequest('loadGenerator'),
      },
      filters,
      matched,
      responseBytes,
    };
  } finally {
    await client.close();
  }
}
