import { createHash } from 'node:crypto';
import { problemsOfStoredCluster } from '../db/cluster-settings.js';
import type { ClusterStore } from '../db/cluster-store.js';
import type { Database } from '../db/database.js';
import type { IPveCluster } from '../db/entities/cluster.entity.js';
import type { InventoryEvent } from '../events/inventory-change.js';
import { type Clock, realClock } from '../lib/clock.js';
import { coerceError } from '../lib/coerce-error.js';
import { Limiter } from '../lib/limiter.js';
import type { Logger } from '../lib/logger.js';
import { PveClient, type PveClientOptions } from '../proxmox/client.js';
import type { PveRequestEvent } from '../proxmox/transport.js';
import { ClusterSync, type SyncCounters, type SyncSettings } from './cluster-sync.js';
import { FirstSyncGate } from './first-sync-gate.js';
import { pollPhaseMs } from './poll-schedule.js';

/** PveClientSettings are the client limits every cluster's PveClient gets. */
export interface PveClientSettings {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  detailConcurrency: number;
}

/** ClusterManagerOptions configures a ClusterManager. */
export interface ClusterManagerOptions {
  clusters: ClusterStore;
  db: Database;
  settings: SyncSettings;
  pve: PveClientSettings;
  /** How often `pve_cluster` is re-read for edits made by SQL. */
  discoveryIntervalMs: number;
  publish: (events: InventoryEvent[]) => void;
  logger: Logger;
  clock?: Clock;
  counters?: SyncCounters & {
    /** Every PVE request of every cluster (list vs detail, outcome). */
    request?(clusterId: number, event: PveRequestEvent): void;
  };
  /** Called after every sync cycle of every cluster (ClusterSyncOptions.quietPoint). */
  quietPoint?: () => void;
  /** Builds a cluster's client (tests inject dispatchers). @default new PveClient(options) */
  createClient?: (options: PveClientOptions) => PveClient;
  /**
   * How many clusters use PostgreSQL at once — loading their stored inventory at start, writing a
   * cycle (`PVESPHERE_WRITE_CONCURRENCY`); the others wait their turn. Every event-writing
   * transaction ends holding the event-sequence lock, one at a time, so more writers mostly wait
   * on it, each with a connection and a backend of its own. @default {@link DEFAULT_WRITE_CONCURRENCY}
   */
  writeConcurrency?: number;
}

/** DEFAULT_WRITE_CONCURRENCY is ClusterManagerOptions.writeConcurrency's default. */
export const DEFAULT_WRITE_CONCURRENCY = 3;

interface Running {
  sync: ClusterSync;
  client: PveClient;
  /** What the sync was started with: a change of any of it restarts the sync. */
  fingerprint: string;
}

/**
 * ClusterManager runs one ClusterSync per enabled cluster (DESIGN §5). It reconciles at start,
 * every `discoveryIntervalMs` (to pick up SQL edits of `pve_cluster`) and at once after a
 * cluster mutation: an enabled cluster gets a sync; disabling stops it and keeps its data; a
 * changed URL, token or TLS setting restarts it; a deleted cluster's sync is stopped (its
 * inventory went with the row). `is_schedulable` never matters. A cluster whose stored settings
 * cannot work (a `user_id` that is not a token id, a secret that does not decrypt) is put in
 * ERROR with the reason and not started. Clusters run independently: one failing never affects
 * another.
 */
export class ClusterManager {
  readonly #options: ClusterManagerOptions;
  readonly #clock: Clock;
  /** Every cluster's first inventory before anyone's guest details (FirstSyncGate). */
  readonly #firstSyncGate: FirstSyncGate;
  /** The database slots every cluster's sync shares (ClusterSyncOptions.writeSlots). */
  readonly #writeSlots: Limiter;
  readonly #log: Logger;
  readonly #running = new Map<number, Running>();
  readonly #attempted = new Set<number>();
  /** Clusters whose next sync start must re-check the stored rows (a forced resync). */
  readonly #verifyNext = new Set<number>();
  #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #reconciling: Promise<void> = Promise.resolve();
  #again = false;
  #unsubscribe: (() => void) | undefined;

  constructor(options: ClusterManagerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? realClock;
    this.#firstSyncGate = new FirstSyncGate({ clock: this.#clock });
    this.#writeSlots = new Limiter(options.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY);
    this.#log = options.logger.child({ component: 'cluster-manager' });
  }

  /** start reconciles now and then every discovery interval, and after every cluster mutation. */
  async start(): Promise<void> {
    this.#unsubscribe = this.#options.clusters.onChange(() => void this.reconcile());
    await this.reconcile();
    this.#loop = this.#discoveryLoop(this.#abort.signal);
  }

  /** stop stops discovery and every cluster's sync. */
  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#abort.abort();
    await this.#loop;
    await this.#reconciling;
    await Promise.all([...this.#running.keys()].map((id) => this.#stopSync(id, 'shutdown')));
  }

  /**
   * reconcile brings the running syncs in line with `pve_cluster` now. Calls made while one runs
   * are coalesced into one more run.
   */
  reconcile(): Promise<void> {
    if (this.#abort.signal.aborted) return this.#reconciling;
    this.#again = true;
    const next = this.#reconciling.then(async () => {
      if (!this.#again) return;
      this.#again = false;
      try {
        await this.#reconcileOnce();
      } catch (err) {
        this.#log.error({ err: coerceError(err) }, 'cluster discovery failed; will retry');
      }
    });
    this.#reconciling = next;
    return next;
  }

  /**
   * resync restarts a cluster's sync from what the database holds: a full relist now. Resolves
   * false when this process does not sync that cluster.
   */
  async resync(clusterId: number): Promise<boolean> {
    await this.#reconciling;
    if (!this.#running.has(clusterId)) return false;
    this.#verifyNext.add(clusterId);
    await this.#stopSync(clusterId, 'resync');
    await this.reconcile();
    return this.#running.has(clusterId);
  }

  /** syncing lists the ids of the clusters this process syncs. */
  get syncing(): number[] {
    return [...this.#running.keys()];
  }

  /**
   * ready tells whether every running sync has finished its first attempt (synced, or failed and
   * reported why): the inventory served is then as current as it can be.
   */
  ready(): boolean {
    return [...this.#running.entries()].every(
      ([id, running]) => running.sync.hasSynced() || this.#attempted.has(id),
    );
  }

  async #discoveryLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.#clock.sleep(this.#options.discoveryIntervalMs, signal);
      if (!signal.aborted) await this.reconcile();
    }
  }

  async #reconcileOnce(): Promise<void> {
    const rows = await this.#options.clusters.list();
    const seen = new Set<number>();
    for (const row of rows) {
      seen.add(row.id);
      await this.#reconcileCluster(row).catch((err) =>
        this.#log.error({ err: coerceError(err), cluster: row.name }, 'cannot start cluster sync'),
      );
    }
    for (const id of this.#running.keys()) {
      if (!seen.has(id)) await this.#stopSync(id, 'deleted');
    }
  }

  async #reconcileCluster(row: IPveCluster): Promise<void> {
    const running = this.#running.get(row.id);
    if (row.isEnabled !== 1) {
      if (running) await this.#stopSync(row.id, 'disabled');
      if (row.syncState !== 'DISABLED') {
        await this.#options.clusters.setSyncStatus(row.id, { state: 'DISABLED' });
      }
      return;
    }
    const problems = problemsOfStoredCluster(row);
    let secret: string | undefined;
    if (problems.length === 0) {
      try {
        secret = this.#options.clusters.readSecret(row);
      } catch (err) {
        problems.push({ field: 'user_token', message: coerceError(err).message });
      }
    }
    if (problems.length > 0 || secret === undefined) {
      if (running) await this.#stopSync(row.id, 'invalid settings');
      const message = `cannot sync: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`;
      if (row.syncState !== 'ERROR' || row.lastError !== message) {
        this.#log.warn({ cluster: row.name, id: row.id }, message);
        await this.#options.clusters.setSyncStatus(row.id, { state: 'ERROR', lastError: message });
      }
      return;
    }
    const fingerprint = connectionFingerprint(row, secret);
    if (running?.fingerprint === fingerprint) return;
    if (running) await this.#stopSync(row.id, 'connection settings changed');
    this.#startSync(row, secret, fingerprint);
  }

  #startSync(row: IPveCluster, secret: string, fingerprint: string): void {
    const { pve, counters } = this.#options;
    const options: PveClientOptions = {
      baseUrl: row.apiUrl,
      tokenId: row.tokenId,
      secret,
      timeouts: {
        connectMs: pve.connectTimeoutMs,
        headersMs: pve.headersTimeoutMs,
        bodyMs: pve.bodyTimeoutMs,
      },
      detailConcurrency: pve.detailConcurrency,
      ...(row.tlsFingerprint ? { tlsFingerprint: row.tlsFingerprint } : {}),
      ...(row.tlsInsecure ? { tlsInsecure: true } : {}),
      onRequest: (event) => counters?.request?.(row.id, event),
    };
    const client = (this.#options.createClient ?? ((o) => new PveClient(o)))(options);
    const sync = new ClusterSync({
      cluster: { id: row.id, name: row.name, apiUrl: row.apiUrl },
      client,
      db: this.#options.db,
      settings: {
        ...this.#options.settings,
        pollPhaseMs: pollPhaseMs(row.id, this.#options.settings.pollIntervalMs),
        metricsPhaseMs: pollPhaseMs(row.id, this.#options.settings.metricsIntervalMs),
      },
      status: async (id, update) => {
        if (update.state === 'ERROR' || update.state === 'SYNCED') this.#attempted.add(id);
        await this.#options.clusters.setSyncStatus(id, update);
      },
      publish: this.#options.publish,
      logger: this.#options.logger,
      clock: this.#clock,
      verifyStored: this.#verifyNext.delete(row.id),
      firstSyncGate: this.#firstSyncGate,
      writeSlots: this.#writeSlots,
      ...(counters ? { counters } : {}),
      ...(this.#options.quietPoint ? { quietPoint: this.#options.quietPoint } : {}),
    });
    this.#running.set(row.id, { sync, client, fingerprint });
    this.#attempted.delete(row.id);
    sync.start();
  }

  async #stopSync(id: number, reason: string): Promise<void> {
    const running = this.#running.get(id);
    if (!running) return;
    this.#running.delete(id);
    await running.sync.stop();
    await running.client.close();
    this.#log.info({ cluster_id: id, reason }, 'cluster sync stopped');
  }
}

/** What a sync depends on; the secret enters only as a hash. */
function connectionFingerprint(row: IPveCluster, secret: string): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        row.name,
        row.apiUrl,
        row.tokenId,
        secret,
        row.tlsFingerprint ?? null,
        row.tlsInsecure,
      ]),
    )
    .digest('hex');
}
