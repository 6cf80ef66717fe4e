import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYNC_PHASES, type SyncPhase } from '../../src/inventory/cluster-sync.js';
import { parseDuration } from '../../src/lib/duration.js';
import {
  type BenchContext,
  type BenchResult,
  type BenchScenario,
  numberOption,
} from '../scenario.js';
import { lastEventSequence } from './db-activity.js';
import { type FloorResult, floorInsert } from './floor-insert.js';
import { GraphQLHttpClient } from './graphql-http.js';
import type { HeapGroup } from './heap-snapshot.js';
import { onInterrupt } from './interrupt-cleanup.js';
import { buildInventoryReport } from './inventory-report.js';
import {
  type BareBroadcast,
  type BroadcastReceiverKind,
  type FanOut,
  measureBareBroadcast,
  measureFanOut,
} from './measure-fanout.js';
import { type IdleWindow, measureIdleWindow } from './measure-idle.js';
import { type InitialSync, measureInitialSync } from './measure-initial-sync.js';
import { type ChangeLatency, measureChangeLatency } from './measure-latency.js';
import { measureQueries, type QueryLoad } from './measure-queries.js';
import { measureRestart, type Restart } from './measure-restart.js';
import {
  CREATE_CLUSTER,
  SET_CLUSTER_ENABLED,
  VM_CHANGED,
  VM_PAGE,
  validateOperations,
} from './operations.js';
import { startBenchPostgres } from './postgres.js';
import { processCpuMs, processRssBytes } from './proc.js';
import { Profiler } from './profiling.js';
import { histogramMean, scrapeMetrics } from './prometheus.js';
import { totalDetailCalls, waitForFirstDetails, waitForQuiet } from './quiet.js';
import { registerClusters } from './registered-clusters.js';
import { type ServerMemory, type ServerProcess, startServerProcess } from './server-process.js';
import { type BenchCluster, startSimulatedClusters, stopSimulatedClusters } from './simulators.js';
import { waitFor } from './timing.js';

/** InventorySpec sizes an end-to-end scenario and its measures. */
export interface InventorySpec {
  name: string;
  description: string;
  /** Position in the default run (BenchScenario.order). */
  order?: number;
  /** Only when named or with `--all` (BenchScenario.explicit). */
  explicit?: boolean;
  clusters: number;
  nodesPerCluster: number;
  guestsPerCluster: number;
  /** PVESPHERE_POLL_INTERVAL of the measured server (`--poll=…` overrides). */
  pollInterval: string;
  /** Poll cycles per cluster in the idle window. */
  idleCycles: number;
  /** Renames per cluster for the change latency (`--rounds`). */
  latencyRounds: number;
  /** Subscribers and changes of the fan-out measure; none: not measured. */
  fanOut: { subscribers: number; rounds: number } | undefined;
  queries: { concurrency: number; seconds: number; warmupSeconds: number };
  /** Also run the per-node list strategy (`--per-node` forces it). */
  perNode: boolean;
  /** Guest details are fetched for every guest at the first sync: how long to allow. */
  settleTimeoutMs: number;
  /**
   * PVESPHERE_METRICS_INTERVAL of the restarted server: it must outlast both halves' first
   * polls. @default max(10 s, 8 poll intervals)
   */
  restartMetricsIntervalMs?: number;
}

/** MeasuredRun is everything one run of an inventory scenario measured. */
export interface MeasuredRun {
  spec: InventorySpec;
  pollIntervalMs: number;
  guests: number;
  postgresql: string;
  memoryBefore: ServerMemory & { rawRss: number };
  memoryAfter: ServerMemory & { rawRss: number };
  initialSync: InitialSync;
  /** Enable → no detail call and no event for 2 s (first details of every guest fetched). */
  detailsSettled: { ms: number; detailCalls: number; serverCpuMsPerCall: number };
  floor: FloorResult;
  idle: IdleWindow;
  queries: QueryLoad;
  /** The same load on a server with PVESPHERE_RESPONSE_CACHE_TTL=0. */
  uncachedQueries: QueryLoad;
  latency: ChangeLatency | undefined;
  /**
   * Mean sync cycle durations during the latency measure (list + diff + write), ms; and the mean
   * time of each phase of a cycle (pvesphere_sync_phase_duration_seconds: `write` over the
   * cycles with changes only), ms.
   */
  latencyCycles:
    | { changedMs: number; unchangedMs: number; phasesMs: Record<SyncPhase, number> }
    | undefined;
  fanOut: FanOut | undefined;
  /** The same payload from a bare `ws` server to as many graphql-ws clients (the control). */
  bare: BareBroadcast | undefined;
  /** … and to plain `ws` clients that only parse it (what the graphql-ws client adds). */
  barePlain: BareBroadcast | undefined;
  /** Why subscriptions were not measured (undefined when they were). */
  subscriptionsSkipped: string | undefined;
  restart: Restart;
  perNode: { idle: IdleWindow; eventsAfterSwitch: number } | undefined;
  profiles: Profiler['summaries'];
  /** Heap growth per added guest by constructor (profiling only). */
  heapGrowthPerGuest: HeapGroup[] | undefined;
}

/** subscriptionsMissing explains why the schema cannot serve `vmChanged` yet, or undefined. */
function subscriptionsMissing(): string | undefined {
  try {
    validateOperations([VM_CHANGED]);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * inventoryScenario is an end-to-end scenario: simulated PVE clusters in this process, an
 * embedded PostgreSQL, and pvesphere as one separate server process (so its CPU time and RSS are
 * its own), measured as issue 7 asks — list calls per poll, initial sync against a plain INSERT,
 * idle cycles, change latency, subscription fan-out against a bare WebSocket broadcast, queries
 * under load, memory per guest, detail calls; then a restart (writes, steady detail rate, usage
 * flush) and, optionally, the per-node list strategy. Options: `--poll=5s`, `--rounds=N`,
 * `--subscribers=N`, `--per-node`, `--profile` (CPU profiles of the measured windows and a heap
 * snapshot, written to the system's temporary directory and summarised in the result).
 */
export function inventoryScenario(spec: InventorySpec): BenchScenario {
  return {
    name: spec.name,
    description: spec.description,
    ...(spec.order === undefined ? {} : { order: spec.order }),
    ...(spec.explicit ? { explicit: true } : {}),
    run: (context) => runInventoryScenario(spec, context),
  };
}

async function runInventoryScenario(
  baseSpec: InventorySpec,
  context: BenchContext,
): Promise<BenchResult> {
  const { options, log, progress } = context;
  const spec: InventorySpec = {
    ...baseSpec,
    pollInterval: options.poll ?? baseSpec.pollInterval,
    latencyRounds: numberOption(options, 'rounds', baseSpec.latencyRounds),
    perNode: baseSpec.perNode || options['per-node'] !== undefined,
    fanOut: baseSpec.fanOut && {
      ...baseSpec.fanOut,
      subscribers: numberOption(options, 'subscribers', baseSpec.fanOut.subscribers),
    },
  };
  const pollIntervalMs = parseDuration(spec.pollInterval);
  if (pollIntervalMs === undefined) throw new Error(`--poll: not a duration: ${spec.pollInterval}`);
  const guests = spec.clusters * spec.guestsPerCluster;
  validateOperations([CREATE_CLUSTER, SET_CLUSTER_ENABLED, VM_PAGE]);
  const subscriptionsSkipped = subscriptionsMissing();
  const profiler = new Profiler(spec.name, options.profile !== undefined);

  log(`starting PostgreSQL and ${spec.clusters} simulated cluster(s)…`);
  const postgres = await startBenchPostgres();
  const cleanup: Array<() => Promise<unknown>> = [() => postgres.stop()];
  let clusters: BenchCluster[] = [];
  let server: ServerProcess | undefined;
  let released: Promise<void> | undefined;
  const release = () => {
    released ??= (async () => {
      await server?.stop().catch(() => {});
      for (const step of cleanup) await step().catch(() => {});
    })();
    return released;
  };
  const unregister = onInterrupt(release);
  try {
    const db = await postgres.database('pvesphere_bench');
    const starting = progress('start simulators', spec.clusters);
    clusters = await startSimulatedClusters({
      clusters: spec.clusters,
      nodes: spec.nodesPerCluster,
      guests: spec.guestsPerCluster,
      onStarted: () => starting.tick(),
    });
    starting.done();
    cleanup.unshift(() => stopSimulatedClusters(clusters));
    const dataDir = await mkdtemp(join(tmpdir(), 'pvesphere-bench-data-'));
    await chmod(dataDir, 0o755);
    cleanup.unshift(() => rm(dataDir, { recursive: true, force: true }));
    const env = (extra: Record<string, string>) => ({
      DATABASE_URL: db.url,
      PVESPHERE_DATA_DIR: dataDir,
      PVESPHERE_POLL_INTERVAL: spec.pollInterval,
      ...extra,
    });

    // Run A: a fresh database; usage flushes pushed out of the measured windows.
    log('starting the server…');
    server = await startServerProcess({ env: env({ PVESPHERE_METRICS_INTERVAL: '1h' }) });
    const client = new GraphQLHttpClient(server.origin, 4);
    const clusterIds = await registerClusters(client, clusters);
    await client.close();
    // Ordinary readings inside the run: the measures after them start with the young generation
    // as the server left it (server-agent.ts).
    const memoryBefore = {
      ...(await server.memory({ reduce: false })),
      rawRss: await processRssBytes(server.pid),
    };

    const a = server;
    const syncing = progress(`initial sync of ${guests.toLocaleString('en-US')} guests`, guests);
    const syncClient = new GraphQLHttpClient(a.origin, spec.clusters);
    const enabledAt = performance.now();
    const initialSync = await profiler.window(a, 'initial-sync', () =>
      measureInitialSync({
        client: syncClient,
        pool: db.pool,
        clusters,
        clusterIds,
        guests,
        serverPid: a.pid,
        postgresPid: postgres.pid,
        progress: syncing,
      }),
    );
    await syncClient.close();
    log(`initial sync: ${Math.round(initialSync.ms)} ms; waiting for the first guest details…`);
    const settling = progress('guests with their first details (config, agent)', guests);
    const settleCpuBefore = await processCpuMs(a.pid);
    const settleCallsBefore = totalDetailCalls(clusters);
    let ticked = 0;
    const settled = await waitForFirstDetails(db.pool, clusters, 2_000, {
      timeoutMs: spec.settleTimeoutMs,
      onProgress: (covered) => {
        settling.tick(covered - ticked);
        ticked = covered;
      },
    });
    settling.done();
    const detailsSettled = {
      ms: settled.lastActivityAt - enabledAt,
      detailCalls: settled.detailCalls,
      serverCpuMsPerCall:
        ((await processCpuMs(a.pid)) - settleCpuBefore) /
        Math.max(1, settled.detailCalls - settleCallsBefore),
    };
    const memoryAfter = {
      ...(await a.memory({ reduce: false })),
      rawRss: await processRssBytes(a.pid),
    };

    log('floor: the same rows with a plain multi-row INSERT…');
    const floor = await floorInsert(db.pool);

    log(`idle window: ${spec.idleCycles} poll cycles per cluster…`);
    await waitForQuiet(db.pool, clusters, 10_500, { eventsOnly: true });
    const idle = await profiler.window(a, 'idle', () =>
      measureIdleWindow({
        pool: db.pool,
        origin: a.origin,
        serverPid: a.pid,
        clusters,
        pollIntervalMs,
        cyclesPerCluster: spec.idleCycles,
      }),
    );

    log(`queries: vms(first: 100) at concurrency ${spec.queries.concurrency}…`);
    const queries = await profiler.window(a, 'queries', () =>
      measureQueries({
        origin: a.origin,
        clusterIds,
        serverPid: a.pid,
        postgresPid: postgres.pid,
        ...spec.queries,
      }),
    );

    let latency: ChangeLatency | undefined;
    let latencyCycles: MeasuredRun['latencyCycles'];
    let fanOut: FanOut | undefined;
    let bare: BareBroadcast | undefined;
    let barePlain: BareBroadcast | undefined;
    if (subscriptionsSkipped === undefined) {
      const changing = progress('change latency', spec.latencyRounds * spec.clusters);
      const metricsBefore = await scrapeMetrics(a.origin);
      latency = await profiler.window(a, 'change-latency', () =>
        measureChangeLatency({
          url: a.url,
          clusters,
          clusterIds,
          rounds: spec.latencyRounds,
          pollIntervalMs,
          progress: changing,
        }),
      );
      const metricsAfter = await scrapeMetrics(a.origin);
      const cycle = (outcome: string) =>
        histogramMean(metricsBefore, metricsAfter, 'pvesphere_sync_cycle_duration_seconds', {
          outcome,
        }).mean * 1000;
      const phase = (name: SyncPhase) =>
        histogramMean(metricsBefore, metricsAfter, 'pvesphere_sync_phase_duration_seconds', {
          phase: name,
        }).mean * 1000;
      latencyCycles = {
        changedMs: cycle('changed'),
        unchangedMs: cycle('unchanged'),
        phasesMs: Object.fromEntries(SYNC_PHASES.map((name) => [name, phase(name)])) as Record<
          SyncPhase,
          number
        >,
      };
      if (spec.fanOut) {
        const fanning = progress(
          `fan-out to ${spec.fanOut.subscribers} subscribers`,
          spec.fanOut.rounds + 1,
        );
        const fanOutSpec = spec.fanOut;
        fanOut = await profiler.window(a, 'fan-out', () =>
          measureFanOut({
            url: a.url,
            cluster: clusters[0]!,
            clusterId: clusterIds[0]!,
            subscribers: fanOutSpec.subscribers,
            rounds: fanOutSpec.rounds,
            pollIntervalMs,
            progress: fanning,
          }),
        );
        const { payload } = fanOut;
        const bareBroadcast = (receivers: BroadcastReceiverKind) =>
          measureBareBroadcast({
            clients: fanOutSpec.subscribers,
            rounds: Math.max(10, fanOutSpec.rounds),
            payload,
            receivers,
          });
        log('bare ws broadcast of the same payload to graphql-ws clients…');
        bare = await bareBroadcast('graphql-ws');
        log('… and to plain ws clients…');
        barePlain = await bareBroadcast('ws');
      }
    } else {
      log(`subscriptions not measured: ${subscriptionsSkipped}`);
    }
    await a.stop();
    server = undefined;

    // Run B: a restart on the same database.
    log('restart: writes, marginal memory, steady detail calls, usage flush…');
    // Heap snapshots (when profiling) stop the server for a while: give them time before the flush.
    const restartMetricsMs =
      (spec.restartMetricsIntervalMs ?? Math.max(10_000, 8 * pollIntervalMs)) +
      (profiler.enabled ? 90_000 : 0);
    const restarted = await measureRestart({
      pool: db.pool,
      clusters,
      clusterIds,
      start: async () => {
        // Kept where the cleanup finds it, should the run be interrupted meanwhile.
        server = await startServerProcess({
          env: env({ PVESPHERE_METRICS_INTERVAL: `${restartMetricsMs}ms` }),
        });
        return server;
      },
      polls: 3,
      metricsIntervalMs: restartMetricsMs,
      detailWindowMs: 20_000,
      onMemory: async (point, restartedServer) => {
        await profiler.heapSnapshot(restartedServer, `restart-${point}`);
      },
    });
    server = restarted.server;
    await server.stop();
    server = undefined;

    // Run C: the per-node list strategy.
    let perNode: MeasuredRun['perNode'];
    if (spec.perNode) {
      log('per-node list strategy…');
      const sequenceBefore = await lastEventSequence(db.pool);
      const startedAt = performance.now();
      const c = await startServerProcess({
        env: env({ PVESPHERE_METRICS_INTERVAL: '1h', PVESPHERE_LIST_STRATEGY: 'per-node' }),
      });
      server = c;
      await waitFor(
        'two per-node polls of every cluster',
        () =>
          clusters.every(
            (cluster) =>
              cluster.lists.filter((l) => l.endpoint === 'GET /nodes' && l.receivedAt >= startedAt)
                .length >= 2,
          ) || undefined,
        { timeoutMs: 120_000 },
      );
      const idlePerNode = await measureIdleWindow({
        pool: db.pool,
        origin: c.origin,
        serverPid: c.pid,
        clusters,
        pollIntervalMs,
        cyclesPerCluster: Math.min(spec.idleCycles, 5),
      });
      perNode = {
        idle: idlePerNode,
        eventsAfterSwitch: (await lastEventSequence(db.pool)) - sequenceBefore,
      };
      await c.stop();
      server = undefined;
    }

    // Run D: the same query load with the response cache off — what every miss costs.
    log('queries without the response cache…');
    const dStarted = performance.now();
    const d = await startServerProcess({
      env: env({ PVESPHERE_METRICS_INTERVAL: '1h', PVESPHERE_RESPONSE_CACHE_TTL: '0s' }),
    });
    server = d;
    await waitFor(
      'a poll of every cluster',
      () => clusters.every((c) => c.polls.some((p) => p.receivedAt >= dStarted)) || undefined,
      { timeoutMs: 120_000 },
    );
    const uncachedQueries = await measureQueries({
      origin: d.origin,
      clusterIds,
      serverPid: d.pid,
      postgresPid: postgres.pid,
      ...spec.queries,
    });
    await d.stop();
    server = undefined;

    const run: MeasuredRun = {
      spec,
      pollIntervalMs,
      guests,
      postgresql: postgres.version,
      memoryBefore,
      memoryAfter,
      initialSync,
      detailsSettled,
      floor,
      idle,
      queries,
      uncachedQueries,
      latency,
      latencyCycles,
      fanOut,
      bare,
      barePlain,
      subscriptionsSkipped,
      restart: restarted.restart,
      perNode,
      profiles: profiler.summaries,
      heapGrowthPerGuest: profiler.growthPer(
        'restart-first',
        'restart-all',
        restarted.restart.memoryAll.guests - restarted.restart.memoryFirst.guests,
      ),
    };
    return buildInventoryReport(run);
  } finally {
    unregister();
    await release();
  }
}
