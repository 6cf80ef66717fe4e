import type pg from 'pg';
import type { ProgressTask } from '../scenario.js';
import type { GraphQLHttpClient } from './graphql-http.js';
import { processCpuMs, processTreeCpuMs } from './proc.js';
import { enableClusters } from './registered-clusters.js';
import type { BenchCluster } from './simulators.js';
import { sleep } from './timing.js';

/** InitialSync is how long enabling the clusters took to put every guest in PostgreSQL. */
export interface InitialSync {
  guests: number;
  /** From the first `setClusterEnabled` mutation until `count(*)` of pve_vm reached `guests`. */
  ms: number;
  /** CPU time the server process used meanwhile. */
  serverCpuMs: number;
  /** CPU time PostgreSQL (postmaster and backends) used meanwhile. */
  postgresCpuMs: number;
  /** Per cluster, from the enable: its first `/cluster/resources` answered, all its guests seen. */
  perCluster: Array<{ firstPollMs: number; writtenMs: number }>;
  /** Detail calls (config, agent) answered before the last guest was in PostgreSQL. */
  detailCallsDuring: number;
}

/**
 * measureInitialSync enables every registered cluster at once and polls PostgreSQL (every
 * 25 ms) until all guests are in `pve_vm`, noting when each cluster's guests arrived.
 */
export async function measureInitialSync(options: {
  client: GraphQLHttpClient;
  pool: pg.Pool;
  clusters: readonly BenchCluster[];
  clusterIds: readonly string[];
  guests: number;
  serverPid: number;
  postgresPid: number;
  progress: ProgressTask;
  timeoutMs?: number;
}): Promise<InitialSync> {
  const { pool, guests, progress, clusters, clusterIds } = options;
  const perCluster = new Map<string, number>();
  const cpuBefore = await processCpuMs(options.serverPid);
  const postgresBefore = await processTreeCpuMs(options.postgresPid);
  const started = performance.now();
  const deadline = started + (options.timeoutMs ?? 600_000);
  await enableClusters(options.client, clusterIds);
  let seen = 0;
  for (;;) {
    const { rows } = await pool.query<{ cluster_id: number; n: number }>(
      'select cluster_id, count(*)::int as n from pve_vm group by cluster_id',
    );
    const now = performance.now();
    let count = 0;
    for (const row of rows) {
      count += row.n;
      const i = clusterIds.indexOf(String(row.cluster_id));
      const expected = clusters[i]?.sim.control.guests().length ?? Number.POSITIVE_INFINITY;
      if (row.n >= expected && !perCluster.has(String(row.cluster_id)))
        perCluster.set(String(row.cluster_id), now - started);
    }
    if (count > seen) {
      progress.tick(count - seen);
      seen = count;
    }
    if (count >= guests) break;
    if (now > deadline) {
      throw new Error(`initial sync: only ${count} of ${guests} guests after the timeout`);
    }
    await sleep(25);
  }
  const ended = performance.now();
  progress.done();
  return {
    guests,
    ms: ended - started,
    serverCpuMs: (await processCpuMs(options.serverPid)) - cpuBefore,
    postgresCpuMs: (await processTreeCpuMs(options.postgresPid)) - postgresBefore,
    perCluster: clusters.map((cluster, i) => ({
      firstPollMs: (cluster.polls.find((p) => p.receivedAt >= started)?.sentAt ?? ended) - started,
      writtenMs: perCluster.get(clusterIds[i]!) ?? ended - started,
    })),
    detailCallsDuring: clusters.reduce(
      (sum, c) => sum + c.details.filter((d) => d.sentAt >= started && d.sentAt <= ended).length,
      0,
    ),
  };
}
