import type { Config } from './config.js';
import { ClusterStore } from './db/cluster-store.js';
import { type Database, openDatabase } from './db/database.js';
import { startEmbeddedPostgres } from './db/embedded-postgres.js';
import { InventoryQueries } from './db/inventory-queries.js';
import { loadSecretKey } from './db/secret-key.js';
import { type EventBus, MemoryEventBus } from './events/event-bus.js';
import { EventLogReader } from './events/event-log-reader.js';
import { EventPruner } from './events/event-pruner.js';
import { EventService } from './events/event-service.js';
import type { InventoryEvent } from './events/inventory-change.js';
import { PostgresEventBus } from './events/postgres-event-bus.js';
import { DataGeneration } from './graphql/data-generation.js';
import { ResponseCache } from './graphql/response-cache.js';
import { createGraphQLHandler } from './graphql/yoga.js';
import { ClusterManager } from './inventory/cluster-manager.js';
import type { Logger } from './lib/logger.js';
import { MALLOC_THRESHOLDS_ENV } from './lib/malloc-thresholds.js';
import { Releasers } from './lib/releasers.js';
import { YoungGenerationCollector } from './lib/young-gc.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createHttpServer, type ReadinessReport } from './server.js';

/**
 * DETAIL_WRITE_DELAY_MS gathers guest details (IPs, config) that arrive between polls for this
 * long before writing them in one cycle: a first fetch of thousands of guests' details then makes
 * a few transactions, and an IP address still reaches subscribers within a fraction of a second.
 */
const DETAIL_WRITE_DELAY_MS = 250;

/** ReadinessCheck is one condition of `/readyz`; it throws (or returns a detail) when not ready. */
export type ReadinessCheck = () => Promise<void>;

/** AppServices are the running parts, for the entry points and tests. */
export interface AppServices {
  db: Database;
  clusters: ClusterStore;
  metrics: Metrics;
  bus: EventBus;
  /** The event streams of subscriptions. */
  events: EventService;
  /** The cluster manager, when this process syncs. */
  manager: ClusterManager | undefined;
  /** Adds a condition to `/readyz` (the sync layer registers "informers synced"). */
  addReadinessCheck(name: string, check: ReadinessCheck): void;
}

/** App is a built but not yet started pvesphere. */
export interface App {
  /** start brings every part up in order; on failure, what started is released again. */
  start(): Promise<{ url: string; port: number; services: AppServices }>;
  /** stop releases everything in reverse order of start (LIFO). Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * connectDatabase opens the configured database — `DATABASE_URL`, or the embedded PostgreSQL in
 * the data directory — and applies pending migrations. Releasers close what it opened.
 */
export async function connectDatabase(
  config: Config,
  logger: Logger,
  releasers: Releasers,
): Promise<Database> {
  const clientUrl = config.databaseUrl ?? (await startEmbedded(config.dataDir, logger, releasers));
  const db = await openDatabase({ clientUrl, logger });
  releasers.push('database', () => db.close());
  await db.migrate();
  return db;
}

async function startEmbedded(
  dataDir: string,
  logger: Logger,
  releasers: Releasers,
): Promise<string> {
  const embedded = await startEmbeddedPostgres({ dataDir, logger });
  releasers.push('embedded postgres', () => embedded.stop());
  return embedded.connectionString;
}

/**
 * createEventBus builds the bus `PVESPHERE_BUS` names: in-process (`memory`), or PostgreSQL
 * LISTEN/NOTIFY across replicas (`postgres`; it polls the event log instead where notifications
 * do not arrive, behind a transaction pooler).
 */
function createEventBus(
  config: Config,
  db: Database,
  logger: Logger,
  onDelivered: (events: readonly InventoryEvent[]) => void,
): EventBus {
  const onListenerError = (err: unknown) => logger.error({ err }, 'event listener failed');
  if (config.bus === 'memory') return new MemoryEventBus(onListenerError, onDelivered);
  return new PostgresEventBus({
    connectionString: db.pool.options.connectionString!,
    pool: db.pool,
    logger,
    onListenerError,
    onDelivered,
  });
}

/** createClusterManager builds the sync layer from the config, counting into the metrics. */
function createClusterManager(
  config: Config,
  parts: {
    db: Database;
    clusters: ClusterStore;
    bus: EventBus;
    metrics: Metrics;
    logger: Logger;
    generation: DataGeneration;
  },
): ClusterManager {
  const { metrics } = parts;
  const collector = new YoungGenerationCollector();
  parts.logger.info(
    { youngGenerationAfterCycles: collector.enabled },
    collector.enabled
      ? 'young-generation collections run after sync cycles (node --expose-gc)'
      : 'node runs without --expose-gc: young-generation collections are left to V8, and may land in the middle of a poll (npm start passes the flag)',
  );
  if (process.platform === 'linux') {
    const fixed = config.mallocThresholdsFixed;
    parts.logger.info(
      { mallocThresholdsFixed: fixed },
      fixed
        ? "glibc malloc's trim and mmap thresholds are fixed: freed native memory goes back to the system"
        : `glibc malloc keeps the native memory of poll and write bursts: start with ${MALLOC_THRESHOLDS_ENV} (npm start sets them)`,
    );
  }
  return new ClusterManager({
    clusters: parts.clusters,
    db: parts.db,
    settings: {
      pollIntervalMs: config.pollIntervalMs,
      resyncIntervalMs: config.resyncIntervalMs,
      metricsIntervalMs: config.metricsIntervalMs,
      ipRefreshIntervalMs: config.ipRefreshIntervalMs,
      listStrategy: config.listStrategy,
      deleteConfirmations: config.deleteConfirmations,
      detailConcurrency: config.pve.detailConcurrency,
      detailWriteDelayMs: DETAIL_WRITE_DELAY_MS,
    },
    pve: config.pve,
    writeConcurrency: config.writeConcurrency,
    discoveryIntervalMs: config.discoveryIntervalMs,
    publish: (events) => {
      for (const event of events)
        metrics.inventoryEvents.inc({ kind: event.kind, type: event.type });
      parts.bus.publish(events);
    },
    logger: parts.logger,
    ...(collector.enabled ? { quietPoint: () => collector.quietPoint() } : {}),
    counters: {
      request: (clusterId, event) => {
        metrics.pveRequests.inc({
          cluster_id: String(clusterId),
          kind: event.kind,
          outcome: event.errorCode ?? String(event.status ?? 'none'),
        });
        metrics.pveRequestDuration.observe({ kind: event.kind }, event.durationMs / 1000);
      },
      metricsFlushed: (clusterId) => parts.generation.usageChanged(clusterId),
      cycle: (clusterId, outcome, ms) => {
        metrics.syncCycles.inc({ cluster_id: String(clusterId), outcome });
        metrics.syncCycleDuration.observe({ outcome }, ms / 1000);
      },
      phase: (phase, ms) => metrics.syncPhaseDuration.observe({ phase }, ms / 1000),
      guestRows: (full, unchanged) => {
        if (full > 0) metrics.syncGuestRows.inc({ read: 'full' }, full);
        if (unchanged > 0) metrics.syncGuestRows.inc({ read: 'unchanged' }, unchanged);
      },
    },
  });
}

/**
 * createApp is the composition root: it builds every part from the config and returns
 * `{ start, stop }` (DESIGN §1). Nothing starts until `start()`.
 */
export function createApp(config: Config, logger: Logger): App {
  const releasers = new Releasers();
  let stopped: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    stopped ??= releasers.releaseAll((name, error) =>
      logger.error({ err: error, part: name }, 'failed to stop a part cleanly'),
    );
    return stopped;
  };

  async function start() {
    try {
      const db = await connectDatabase(config, logger, releasers);
      const secretKey = await loadSecretKey({
        configuredKey: config.secretKey,
        dataDir: config.dataDir,
        logger,
      });
      const clusters = new ClusterStore({ db, secretKey, logger });
      const metrics = createMetrics();
      const checks = new Map<string, ReadinessCheck>([['database', () => db.ping()]]);
      // The changes this process sees make the cached answers that depend on them stale.
      const generation = new DataGeneration();
      releasers.push(
        'cluster write listener',
        clusters.onWrite(() => generation.clustersChanged()),
      );
      // A deleted cluster takes its inventory along (cascading keys), without events.
      releasers.push(
        'cluster delete listener',
        clusters.onChange((change) => {
          if (change.type === 'deleted') generation.inventoryChanged(change.id);
        }),
      );
      const bus = createEventBus(config, db, logger, (events) =>
        generation.eventsDelivered(events),
      );
      releasers.push('event bus', () => bus.close());
      await bus.start();
      const events = new EventService({
        bus,
        reader: new EventLogReader(db.pool),
        logger,
        subscriberBuffer: config.graphql.subscriberBuffer,
      });
      releasers.push('event streams', async () => events.close());
      const manager = config.sync
        ? createClusterManager(config, { db, clusters, bus, metrics, logger, generation })
        : undefined;

      const responseCache =
        config.graphql.responseCacheTtlMs > 0
          ? new ResponseCache({ generation, ttlMs: config.graphql.responseCacheTtlMs })
          : undefined;
      const yoga = createGraphQLHandler({
        services: {
          clusters,
          inventory: new InventoryQueries({ db }),
          events,
          ...(manager ? { sync: manager } : {}),
        },
        tokens: { adminToken: config.adminToken, readToken: config.readToken },
        limits: { depth: config.graphql.maxDepth, complexity: config.graphql.maxComplexity },
        metrics,
        logger,
        ...(responseCache ? { responseCache } : {}),
      });
      const http = createHttpServer({
        host: config.host,
        port: config.port,
        yoga,
        metrics,
        readiness: () => readiness(checks),
        logger,
        ...(responseCache ? { responseCache } : {}),
      });
      const { url, port } = await http.start();
      releasers.push('http server', () => http.stop(config.shutdownTimeoutMs));
      if (manager) {
        await manager.start();
        releasers.push('cluster manager', () => manager.stop());
        checks.set('informers', async () => {
          if (!manager.ready()) throw new Error('the first sync of some clusters is still running');
        });
        // The process that writes events prunes them; serve-only replicas leave the log alone.
        const pruner = new EventPruner({
          pool: db.pool,
          retentionMs: config.eventRetentionMs,
          logger,
        });
        pruner.start();
        releasers.push('event pruner', () => pruner.stop());
      } else {
        logger.info(
          'PVESPHERE_SYNC=false: this server serves queries and subscriptions and syncs nothing',
        );
      }
      if (config.adminToken === undefined) {
        logger.warn(
          { host: config.host },
          'PVESPHERE_ADMIN_TOKEN is not set: mutations are open to every local user of this machine; the server only listens on loopback',
        );
      }
      return {
        url,
        port,
        services: {
          db,
          clusters,
          metrics,
          bus,
          events,
          manager,
          addReadinessCheck: (name: string, check: ReadinessCheck) => {
            checks.set(name, check);
          },
        },
      };
    } catch (err) {
      await stop().catch(() => {});
      throw err;
    }
  }

  return { start, stop };
}

async function readiness(checks: Map<string, ReadinessCheck>): Promise<ReadinessReport> {
  const entries = await Promise.all(
    [...checks].map(async ([name, check]) => {
      try {
        await check();
        return [name, { ok: true }] as const;
      } catch (err) {
        return [name, { ok: false, detail: (err as Error).message }] as const;
      }
    }),
  );
  return { ready: entries.every(([, result]) => result.ok), checks: Object.fromEntries(entries) };
}
