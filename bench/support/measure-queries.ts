import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { VM_PAGE } from './operations.js';
import { processCpuMs, processTreeCpuMs } from './proc.js';
import type { QueryLoadJob, QueryLoadReport } from './query-load-worker.js';
import { PROJECT_ROOT } from './server-process.js';
import { type Stats, stats } from './stats.js';

/** QueryLoad is the outcome of a fixed-concurrency query load. */
export interface QueryLoad {
  concurrency: number;
  seconds: number;
  requests: number;
  errors: number;
  perSecond: number;
  latencyMs: Stats;
  /** CPU time per request (ms) of the server, of PostgreSQL and of the load generator process. */
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
 * keep-alive connections for `seconds` after `warmupSeconds`, cycling through the filters, in a
 * load-generator process of its own (query-load-worker.ts), and reports latency, throughput and
 * the CPU time per request of the server, PostgreSQL and the load generator.
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
  const filters = dashboardFilters(options.clusterIds);
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
  const cpuNow = async () => ({
    server: await processCpuMs(options.serverPid),
    postgres: await processTreeCpuMs(options.postgresPid),
  });
  const worker = fork(resolve(PROJECT_ROOT, 'bench/support/query-load-worker.ts'), {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let cpuAtStart: Promise<{ server: number; postgres: number }> | undefined;
  const report = await new Promise<QueryLoadReport>((resolvePromise, reject) => {
    worker.on('message', (message: QueryLoadReport | { measuring: true }) => {
      if ('measuring' in message) cpuAtStart = cpuNow();
      else resolvePromise(message);
    });
    worker.once('exit', (code) => reject(new Error(`the query load worker exited (${code})`)));
    const job: QueryLoadJob = {
      origin: options.origin,
      query: VM_PAGE,
      filters,
      first: 100,
      concurrency,
      seconds,
      warmupSeconds: options.warmupSeconds,
    };
    worker.send(job);
  });
  const cpuAtEnd = await cpuNow();
  const before = (await cpuAtStart) ?? cpuAtEnd;
  const requests = Math.max(1, report.latencies.length);
  return {
    concurrency,
    seconds,
    requests: report.latencies.length,
    errors: report.errors,
    perSecond: report.latencies.length / seconds,
    latencyMs: stats(report.latencies),
    cpuMsPerRequest: {
      server: (cpuAtEnd.server - before.server) / requests,
      postgres: (cpuAtEnd.postgres - before.postgres) / requests,
      loadGenerator: report.cpuMs / requests,
    },
    filters,
    matched,
    responseBytes,
  };
}
