import { setMaxListeners } from 'node:events';
import type { Database } from '../db/database.js';
import type { InventoryEvent } from '../events/inventory-change.js';
import { ListFeed } from '../informer/list-feed.js';
import { SharedInformer } from '../informer/shared-informer.js';
import { Backoff } from '../lib/backoff.js';
import { type Clock, realClock } from '../lib/clock.js';
import { coerceError } from '../lib/coerce-error.js';
import type { Logger } from '../lib/logger.js';
import type { PveClient } from '../proxmox/client.js';
import { ChangeBatch } from './change-batch.js';
import { DetailFetcher } from './detail-fetcher.js';
import { createInventoryLister, type InventoryList } from './inventory-lister.js';
import { loadStoredInventory } from './inventory-loader.js';
import { type CycleChanges, InventoryWriter } from './inventory-writer.js';
import {
  guestStateFromPve,
  guestUsageFromPve,
  nodeStateFromPve,
  nodeUsageFromPve,
  storageStateFromPve,
  storageUsageFromPve,
} from './mappers.js';
import { MassDeletionGuard } from './mass-deletion-guard.js';
import type {
  GuestState,
  GuestUsage,
  NodeState,
  NodeUsage,
  StorageState,
  StorageUsage,
} from './state.js';
import { describeSyncError, type SyncStatusSink } from './sync-status.js';
import { UsageStore } from './usage-store.js';

/** SyncSettings are the intervals and limits of one cluster's sync (from the config). */
export interface SyncSettings {
  pollIntervalMs: number;
  resyncIntervalMs: number;
  metricsIntervalMs: number;
  ipRefreshIntervalMs: number;
  listStrategy: 'cluster-resources' | 'per-node';
  deleteConfirmations: number;
  detailConcurrency: number;
}

/** SyncCounters are hooks the server's metrics (and the benchmark) count with. */
export interface SyncCounters {
  /** A poll cycle ended: its outcome and how long it took. */
  cycle?(clusterId: number, outcome: 'changed' | 'unchanged' | 'error', ms: number): void;
  /** Events committed by a cycle. */
  events?(clusterId: number, count: number): void;
}

/** ClusterSyncOptions configures a ClusterSync. */
export interface ClusterSyncOptions {
  cluster: { id: number; name: string; apiUrl: string };
  client: PveClient;
  db: Database;
  settings: SyncSettings;
  /** Records the cluster's sync status (ClusterStore.setSyncStatus). */
  status: SyncStatusSink;
  /** Hands committed events to the bus. */
  publish: (events: InventoryEvent[]) => void;
  logger: Logger;
  clock?: Clock;
  counters?: SyncCounters;
  /**
   * Start by re-checking every stored row against PVE (hashes recomputed from the rows), which
   * repairs rows edited behind pvesphere's back: a forced resync. @default false
   */
  verifyStored?: boolean;
}

type Kind = 'node' | 'vm' | 'storage';

/** One kind's informer with the feed that fills it and the handler that records its changes. */
interface Pipeline<S extends { key: string; hash: string }> {
  feed: ListFeed<S>;
  informer: SharedInformer<S>;
  batch: ChangeBatch<S>;
}

interface Pipelines {
  nodes: Pipeline<NodeState>;
  guests: Pipeline<GuestState>;
  storages: Pipeline<StorageState>;
}

/** Above this many additions in one cycle, each is logged at debug and a summary at info. */
const LOG_EACH_ADDITION_UP_TO = 50;

/**
 * ClusterSync keeps one cluster's inventory in PostgreSQL following PVE (DESIGN §3–§4). Each
 * poll lists the cluster once (`/cluster/resources`, or the per-node strategy), maps the answer
 * to inventory states (merged with what is known: a guest of an offline node keeps its name),
 * passes each kind through its mass-deletion guard and pushes it into its informer. When all
 * three informers have handled the push, the changes their handlers recorded are written in one
 * transaction with their events, which are published after commit. Nothing changed → nothing
 * written.
 *
 * It starts from what the database holds (informers seeded with the stored states and hashes),
 * so a restart writes only what changed meanwhile. A failed poll changes nothing: the cluster's
 * status becomes ERROR with a readable reason, polls back off (never faster than the poll
 * interval), and the first successful poll makes it SYNCED again. Usage metrics are kept in
 * memory and flushed every `metricsIntervalMs`. Guest details are fetched by a DetailFetcher.
 */
export class ClusterSync {
  readonly #options: ClusterSyncOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #writer: InventoryWriter;
  readonly #nodeUsage = new UsageStore<NodeUsage, { name: string }>();
  readonly #guestUsage = new UsageStore<GuestUsage, { vmid: number }>();
  readonly #storageUsage = new UsageStore<StorageUsage, { node: string; name: string }>();
  readonly #guards: Record<Kind, MassDeletionGuard>;
  #abort = new AbortController();
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #detailsChanged = false;
  #resyncRequested = false;
  #synced = false;
  #recorded: { state: string; error: string | null } | undefined;
  #lastList: InventoryList | undefined;
  #nodeIps = new Map<string, string>();
  #nodeSet = '';

  constructor(options: ClusterSyncOptions) {
    this.#options = options;
    this.#clock = options.clock ?? realClock;
    this.#log = options.logger.child({
      cluster: options.cluster.name,
      cluster_id: options.cluster.id,
    });
    this.#writer = new InventoryWriter({
      db: options.db,
      clusterId: options.cluster.id,
      onProgress: (kind, written, total) =>
        this.#log.info(
          { kind, written, total },
          `writing inventory: ${written} of ${total} ${kind}s`,
        ),
    });
    const confirmations = options.settings.deleteConfirmations;
    this.#guards = {
      node: new MassDeletionGuard(confirmations),
      vm: new MassDeletionGuard(confirmations),
      storage: new MassDeletionGuard(confirmations),
    };
  }

  /** hasSynced is true once the first poll has been written. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** start runs the sync in the background until stop(). */
  start(): void {
    // Every request, detail fetch and wait of this cluster listens on one signal.
    setMaxListeners(0, this.#abort.signal);
    this.#running ??= this.#run(this.#abort.signal).catch((err) => {
      this.#log.error({ err: coerceError(err) }, 'cluster sync stopped by an unexpected error');
    });
  }

  /** stop ends polling, detail fetches and informers; resolves when everything has stopped. */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wake?.();
    await this.#running;
  }

  /** resync asks for a full relist now: node IPs re-read, every object compared again. */
  resync(): void {
    this.#resyncRequested = true;
    this.#wake?.();
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { cluster, settings } = this.#options;
    await this.#record('SYNCING', this.#recorded?.error ?? null);
    const stored = await loadStoredInventory(this.#options.db, cluster.id, {
      verify: this.#options.verifyStored ?? false,
    });
    for (const { state, usage } of stored.nodes)
      this.#seedUsage(this.#nodeUsage, state.key, usage, { name: state.name });
    for (const { state, usage } of stored.guests)
      this.#seedUsage(this.#guestUsage, state.key, usage, { vmid: state.vmid });
    for (const { state, usage } of stored.storages) {
      this.#seedUsage(this.#storageUsage, state.key, usage, { node: state.node, name: state.name });
    }
    for (const { state } of stored.nodes)
      if (state.ipAddress) this.#nodeIps.set(state.name, state.ipAddress);

    const nodes = this.#informer<NodeState>(
      'node',
      stored.nodes.map((n) => n.state),
    );
    const guests = this.#informer<GuestState>(
      'vm',
      stored.guests.map((g) => g.state),
    );
    const storages = this.#informer<StorageState>(
      'storage',
      stored.storages.map((s) => s.state),
    );
    const details = new DetailFetcher({
      client: this.#options.client,
      refreshIntervalMs: settings.ipRefreshIntervalMs,
      concurrency: settings.detailConcurrency,
      initial: stored.guests.map((g) => [g.state.key, g.details] as [string, typeof g.details]),
      clock: this.#clock,
      logger: this.#log,
      onChanged: () => {
        this.#detailsChanged = true;
        this.#wake?.();
      },
    });
    const tasks = [
      nodes.informer.run(signal),
      guests.informer.run(signal),
      storages.informer.run(signal),
      details.run(signal),
      this.#flushLoop(signal),
    ];
    this.#log.info(
      {
        id: cluster.id,
        nodes: stored.nodes.length,
        vms: stored.guests.length,
        storages: stored.storages.length,
      },
      `cluster informer started cluster=${cluster.name} id=${cluster.id}`,
    );

    const backoff = new Backoff({ clock: this.#clock });
    let nextPoll = this.#clock.now();
    let nextResync = this.#clock.now() + settings.resyncIntervalMs;
    while (!signal.aborted) {
      const now = this.#clock.now();
      const pollDue = now >= nextPoll || this.#resyncRequested;
      if (!pollDue && !this.#detailsChanged) {
        await this.#sleep(nextPoll - now, signal);
        continue;
      }
      const started = this.#clock.now();
      try {
        let list = this.#lastList;
        const resync = this.#resyncRequested || now >= nextResync;
        if (pollDue || list === undefined) {
          this.#resyncRequested = false;
          list = await this.#lister().list(signal);
          this.#lastList = list;
          await this.#refreshNodeIps(list, resync, signal);
          if (resync) nextResync = this.#clock.now() + settings.resyncIntervalMs;
        }
        this.#detailsChanged = false;
        const written = await this.#cycle(list, { nodes, guests, storages }, details, signal);
        if (pollDue) {
          backoff.reset();
          nextPoll = started + settings.pollIntervalMs;
          await this.#record('SYNCED', null, new Date(this.#clock.now()));
        }
        this.#options.counters?.cycle?.(
          cluster.id,
          written > 0 ? 'changed' : 'unchanged',
          this.#clock.now() - started,
        );
      } catch (err) {
        if (signal.aborted) break;
        const error = coerceError(err);
        const message = describeSyncError(error, cluster.apiUrl);
        this.#log.warn({ err: error, code: error.code }, `cluster sync failed: ${message}`);
        await this.#record('ERROR', message).catch(() => {});
        this.#options.counters?.cycle?.(cluster.id, 'error', this.#clock.now() - started);
        nextPoll = this.#clock.now() + Math.max(settings.pollIntervalMs, backoff.next());
      }
    }
    await Promise.allSettled(tasks);
    await this.#flushMetrics().catch(() => {});
  }

  #lister() {
    return createInventoryLister(this.#options.settings.listStrategy, this.#options.client);
  }

  #informer<S extends { key: string; hash: string }>(kind: Kind, initial: S[]): Pipeline<S> {
    const name = `${kind}-${this.#options.cluster.name}`;
    const feed = new ListFeed<S>({ keyFunc: (s) => s.key, versionFunc: (s) => s.hash, name });
    const informer = new SharedInformer<S>(feed, {
      name,
      keyFunc: (s) => s.key,
      versionFunc: (s) => s.hash,
      initialObjects: initial,
      clock: this.#clock,
      logger: this.#log,
    });
    const batch = new ChangeBatch<S>();
    informer.addEventHandler(batch);
    return { feed, informer, batch };
  }

  /**
   * #cycle maps a listing to states, guards it, pushes it through the informers and writes what
   * they found. Returns the number of events written.
   */
  async #cycle(
    list: InventoryList,
    informers: Pipelines,
    details: DetailFetcher,
    signal: AbortSignal,
  ): Promise<number> {
    const { nodes, guests, storages } = informers;

    const nodeStates = list.nodes.map((node) => {
      const state = nodeStateFromPve(
        node,
        this.#nodeIps.get(node.name) ?? null,
        nodes.informer.indexer.getByKey(`node/${node.name}`),
      );
      this.#nodeUsage.set(state.key, nodeUsageFromPve(node), { name: node.name });
      return state;
    });
    // Guests whose state changed, with what was known before: their details may follow.
    const moved: [GuestState, GuestState][] = [];
    const guestStates = list.guests.map((guest) => {
      const key = `${guest.type}/${guest.vmid}`;
      const known = guests.informer.indexer.getByKey(key);
      const state = guestStateFromPve(guest, details.details(key), known);
      if (known && known.hash !== state.hash) moved.push([known, state]);
      if (guest.usage) this.#guestUsage.set(key, guestUsageFromPve(guest), { vmid: guest.vmid });
      return state;
    });
    const storageStates = list.storages.map((storage) => {
      const state = storageStateFromPve(storage);
      this.#storageUsage.set(state.key, storageUsageFromPve(storage), {
        node: state.node,
        name: state.name,
      });
      return state;
    });
    // Per-node strategy: nodes that could not be listed keep their guests (status unknown) and storage.
    if (list.unlistedNodes.size > 0) {
      const listedGuests = new Set(guestStates.map((g) => g.key));
      for (const known of guests.informer.indexer.list()) {
        if (!list.unlistedNodes.has(known.node) || listedGuests.has(known.key)) continue;
        const unknown = {
          vmid: known.vmid,
          type: known.type,
          node: known.node,
          status: 'unknown',
          tags: known.tags,
        };
        guestStates.push(guestStateFromPve(unknown, details.details(known.key), known));
      }
      const listedStorages = new Set(storageStates.map((s) => s.key));
      for (const known of storages.informer.indexer.list()) {
        if (list.unlistedNodes.has(known.node) && !listedStorages.has(known.key))
          storageStates.push(known);
      }
    }

    await Promise.all([
      nodes.feed.push(this.#guard('node', nodes.informer.indexer.list(), nodeStates), { signal }),
      guests.feed.push(this.#guard('vm', guests.informer.indexer.list(), guestStates), { signal }),
      storages.feed.push(this.#guard('storage', storages.informer.indexer.list(), storageStates), {
        signal,
      }),
    ]);

    const changes = {
      nodes: nodes.batch.take(),
      guests: guests.batch.take(),
      storages: storages.batch.take(),
    };
    details.setOnlineNodes(nodeStates.filter((n) => n.status === 'online').map((n) => n.name));
    const cycle: CycleChanges = {
      ...changes,
      nodeUsage: (key) => this.#nodeUsage.get(key),
      guestUsage: (key) => this.#guestUsage.get(key),
      storageUsage: (key) => this.#storageUsage.get(key),
    };
    let events: InventoryEvent[];
    try {
      events = await this.#writer.write(cycle);
    } catch (err) {
      // Not written: hand the changes back so the next cycle writes them (never lost).
      nodes.batch.restore(changes.nodes);
      guests.batch.restore(changes.guests);
      storages.batch.restore(changes.storages);
      throw err;
    }
    this.#afterWrite(changes, events);
    details.track(guests.informer.indexer.list());
    for (const [before, after] of moved) details.changed(before, after);
    if (events.length > 0) {
      this.#options.publish(events);
      this.#options.counters?.events?.(this.#options.cluster.id, events.length);
    }
    this.#synced = true;
    return events.length;
  }

  #afterWrite(
    changes: {
      nodes: Map<string, NodeState | null>;
      guests: Map<string, GuestState | null>;
      storages: Map<string, StorageState | null>;
    },
    events: InventoryEvent[],
  ): void {
    for (const [key, state] of changes.nodes)
      state ? this.#nodeUsage.markWritten(key) : this.#nodeUsage.delete(key);
    for (const [key, state] of changes.guests)
      state ? this.#guestUsage.markWritten(key) : this.#guestUsage.delete(key);
    for (const [key, state] of changes.storages)
      state ? this.#storageUsage.markWritten(key) : this.#storageUsage.delete(key);
    const added = events.filter((e) => e.type === 'ADDED');
    const level = added.length > LOG_EACH_ADDITION_UP_TO ? 'debug' : 'info';
    for (const event of added) {
      const p = event.payload as unknown as Record<string, unknown>;
      if (event.kind === 'node')
        this.#log[level](
          { node: p.name },
          `node added node=${p.name} cluster_id=${event.clusterId}`,
        );
      else if (event.kind === 'vm')
        this.#log[level](
          { vm: p.name, vmid: p.vmid },
          `vm added vm=${p.name ?? ''} vmid=${p.vmid}`,
        );
      else
        this.#log[level](
          { storage: p.name, node: p.node },
          `storage added storage=${p.name} node=${p.node}`,
        );
    }
    if (events.length > 0) {
      const count = (kind: Kind, type: string) =>
        events.filter((e) => e.kind === kind && e.type === type).length;
      this.#log.info(
        {
          events: events.length,
          nodes: {
            added: count('node', 'ADDED'),
            updated: count('node', 'UPDATED'),
            deleted: count('node', 'DELETED'),
          },
          vms: {
            added: count('vm', 'ADDED'),
            updated: count('vm', 'UPDATED'),
            deleted: count('vm', 'DELETED'),
          },
          storages: {
            added: count('storage', 'ADDED'),
            updated: count('storage', 'UPDATED'),
            deleted: count('storage', 'DELETED'),
          },
        },
        'inventory changes written',
      );
    }
  }

  /** #guard applies a kind's mass-deletion guard: held deletions keep their known objects. */
  #guard<S extends { key: string }>(kind: Kind, known: S[], listed: S[]): S[] {
    const listedKeys = new Set(listed.map((s) => s.key));
    const verdict = this.#guards[kind].check(
      known.map((s) => s.key),
      listedKeys,
    );
    if (verdict.action === 'apply') return listed;
    const missing = new Set(verdict.missing);
    this.#log.warn(
      {
        kind,
        missing: verdict.missing.length,
        known: verdict.known,
        seen: verdict.seen,
        needed: verdict.needed,
      },
      `holding a mass deletion: ${verdict.missing.length} of ${verdict.known} ${kind}s vanished from PVE's answer; applied only if ${verdict.needed - verdict.seen} more poll(s) confirm it (a token that lost privileges looks like this)`,
    );
    void this.#record(
      'SYNCED',
      `warning: ${verdict.missing.length} of ${verdict.known} ${kind}s vanished from PVE's answer at once; the deletion is held until ${verdict.needed - verdict.seen} more poll(s) confirm it (check the API token's privileges)`,
    ).catch(() => {});
    return [...listed, ...known.filter((s) => missing.has(s.key))];
  }

  /** Reads `/cluster/status` for node IPs at start, when the set of nodes changes and on resync. */
  async #refreshNodeIps(list: InventoryList, resync: boolean, signal: AbortSignal): Promise<void> {
    const nodeSet = list.nodes
      .map((n) => n.name)
      .sort()
      .join(',');
    if (!resync && nodeSet === this.#nodeSet) return;
    try {
      const status = await this.#options.client.getClusterStatus({ signal });
      this.#nodeIps = new Map(status.nodes.filter((n) => n.ip).map((n) => [n.name, n.ip!]));
      this.#nodeSet = nodeSet;
    } catch (err) {
      if (signal.aborted) throw err;
      this.#log.warn(
        { err: coerceError(err) },
        'cannot read /cluster/status (node IP addresses stay as they were)',
      );
      this.#nodeSet = nodeSet;
    }
  }

  #seedUsage<U, M>(store: UsageStore<U, M>, key: string, usage: U, meta: M): void {
    store.set(key, usage, meta);
    store.markWritten(key);
  }

  async #flushLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.#clock.sleep(this.#options.settings.metricsIntervalMs, signal);
      if (signal.aborted) return;
      await this.#flushMetrics().catch((err) =>
        this.#log.warn({ err: coerceError(err) }, 'usage metrics could not be written; will retry'),
      );
    }
  }

  async #flushMetrics(): Promise<void> {
    const nodes = this.#nodeUsage.changed();
    const guests = this.#guestUsage.changed();
    const storages = this.#storageUsage.changed();
    const written = await this.#writer.flushMetrics({
      nodes: new Map([...nodes].map(([k, v]) => [k, { name: v.meta.name, usage: v.usage }])),
      guests: new Map([...guests].map(([k, v]) => [k, { vmid: v.meta.vmid, usage: v.usage }])),
      storages: new Map(
        [...storages].map(([k, v]) => [
          k,
          { node: v.meta.node, name: v.meta.name, usage: v.usage },
        ]),
      ),
    });
    this.#nodeUsage.committed(nodes);
    this.#guestUsage.committed(guests);
    this.#storageUsage.committed(storages);
    if (written > 0) this.#log.debug({ rows: written }, 'usage metrics written');
    if (this.#recorded?.state === 'SYNCED') {
      await this.#options.status(this.#options.cluster.id, {
        state: 'SYNCED',
        lastSyncedAt: new Date(this.#clock.now()),
      });
    }
  }

  /** Records the sync status when it changed (the status row is not rewritten every poll). */
  async #record(
    state: 'SYNCING' | 'SYNCED' | 'ERROR',
    error: string | null,
    at?: Date,
  ): Promise<void> {
    const holding = Object.values(this.#guards).some((g) => g.isHolding);
    const shown =
      state === 'SYNCED' && error === null && holding ? (this.#recorded?.error ?? null) : error;
    if (this.#recorded?.state === state && this.#recorded.error === shown) return;
    this.#recorded = { state, error: shown };
    await this.#options.status(this.#options.cluster.id, {
      state,
      lastError: shown,
      ...(at ? { lastSyncedAt: at } : {}),
    });
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.#clock.setTimer(ms, done);
      const onAbort = () => done();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#wake = done;
      function done() {
        timer.cancel();
        signal.removeEventListener('abort', onAbort);
        resolve();
      }
    }).finally(() => {
      this.#wake = undefined;
    });
  }
}
