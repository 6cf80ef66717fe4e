import { setMaxListeners } from 'node:events';
import type { Database } from '../db/database.js';
import type { InventoryEvent } from '../events/inventory-change.js';
import { yieldToEventLoop } from '../informer/event-loop.js';
import { ListFeed } from '../informer/list-feed.js';
import { SharedInformer } from '../informer/shared-informer.js';
import { Backoff } from '../lib/backoff.js';
import { type Clock, realClock } from '../lib/clock.js';
import { coerceError } from '../lib/coerce-error.js';
import type { Limiter } from '../lib/limiter.js';
import type { Logger } from '../lib/logger.js';
import type { PveClient } from '../proxmox/client.js';
import type { PveClusterStatus } from '../proxmox/normalize/cluster-status.js';
import { ChangeBatch } from './change-batch.js';
import { logChanges } from './change-log.js';
import {
  buildCycleStates,
  type CycleStates,
  detailCycleStates,
  type KnownInventory,
} from './cycle-states.js';
import { DetailFetcher } from './detail-fetcher.js';
import type { FirstSyncGate } from './first-sync-gate.js';
import {
  createInventoryLister,
  type InventoryList,
  type InventoryLister,
} from './inventory-lister.js';
import { loadStoredInventory } from './inventory-loader.js';
import { InventoryUsage } from './inventory-usage.js';
import { InventoryWriter } from './inventory-writer.js';
import { guardList, MassDeletionGuard } from './mass-deletion-guard.js';
import { nextPollAt } from './poll-schedule.js';
import { RowDigests } from './row-digests.js';
import type { GuestState, NodeState, StorageState } from './state.js';
import { describeSyncError, StatusRecorder, type SyncStatusSink } from './sync-status.js';

/** SyncSettings are the intervals and limits of one cluster's sync (from the config). */
export interface SyncSettings {
  pollIntervalMs: number;
  resyncIntervalMs: number;
  metricsIntervalMs: number;
  ipRefreshIntervalMs: number;
  listStrategy: 'cluster-resources' | 'per-node';
  /**
   * Where in each poll interval this cluster polls (pollPhaseMs spreads clusters); the first
   * poll after a start is immediate. @default none: every poll one interval after the last
   */
  pollPhaseMs?: number;
  /**
   * Where in each metrics interval this cluster writes its usage (pollPhaseMs of the metrics
   * interval): clusters started together then flush at spread moments, not all in one burst of
   * writes every interval (at 100 clusters, ~84,000 rows at once). As with polls, only the first
   * is not on it: one interval after the start; the next half an interval to an interval and a
   * half after that, then one interval apart. @default none: every flush one interval after the
   * last began
   */
  metricsPhaseMs?: number;
  /**
   * How long guest details that arrived between polls are gathered before they are written in
   * one cycle (a first fetch of every guest's details then makes a few writes, not thousands).
   * @default 0
   */
  detailWriteDelayMs?: number;
  deleteConfirmations: number;
  detailConcurrency: number;
}

/**
 * SYNC_PHASES are the parts of a sync cycle, in order: `list` (the PVE request, read and
 * scanned), `map` (the listing to states), `apply` (states through the informers), `write` (the
 * PostgreSQL transaction of a cycle with changes) and `publish` (handing its events to
 * subscribers).
 */
export const SYNC_PHASES = ['list', 'map', 'apply', 'write', 'publish'] as const;

/** SyncPhase is one of {@link SYNC_PHASES}. */
export type SyncPhase = (typeof SYNC_PHASES)[number];

/** SyncCounters are hooks the server's metrics (and the benchmark) count with. */
export interface SyncCounters {
  /** A poll cycle ended: its outcome and how long it took. */
  cycle?(clusterId: number, outcome: 'changed' | 'unchanged' | 'error', ms: number): void;
  /** A phase of a cycle took `ms` (wall time, waits included). */
  phase?(phase: SyncPhase, ms: number): void;
  /** A listing's guest rows: read in full, and unchanged (read for their usage only). */
  guestRows?(full: number, unchanged: number): void;
  /** Events committed by a cycle. */
  events?(clusterId: number, count: number): void;
  /** Usage metrics were written (rows changed without an event). */
  metricsFlushed?(clusterId: number, rows: number): void;
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
   * Called after every cycle, when the garbage of its poll is dead: the process's
   * YoungGenerationCollector collects there rather than in the middle of a poll. @default none
   */
  quietPoint?: () => void;
  /**
   * Shared by the clusters of a process: this cluster's guest details wait while any cluster's
   * first sync runs, and its own first sync holds the others' details. @default none
   */
  firstSyncGate?: FirstSyncGate;
  /**
   * Start by re-checking every stored row against PVE (hashes recomputed from the rows), which
   * repairs rows edited behind pvesphere's back: a forced resync. @default false
   */
  verifyStored?: boolean;
  /**
   * Database slots shared by the clusters of a process: the load of the stored inventory at start
   * and each write transaction (a cycle's changes, a metrics flush) wait for one, so at most that
   * many clusters use PostgreSQL at once. @default none
   */
  writeSlots?: Limiter;
}

type Kind = 'node' | 'vm' | 'storage';

/** What #prepare makes of the stored inventory. */
interface Prepared {
  pipelines: Pipelines;
  details: DetailFetcher;
  loaded: { nodes: number; vms: number; storages: number };
}

/** CycleContext is what the cycles of one #run share. */
interface CycleContext {
  lister: InventoryLister;
  pipelines: Pipelines;
  details: DetailFetcher;
  /** When the next poll also reads `/cluster/status` (resync). */
  nextResync: number;
  /** When the last cycle started (detail cycles wait detailWriteDelayMs after it). */
  lastCycle: number;
}

/** One kind's informer with the feed that fills it and the handler that records its changes. */
interface Pipeline<S extends { key: string; hash: string }> {
  feed: ListFeed<S>;
  informer: SharedInformer<S>;
  batch: ChangeBatch<S>;
  guard: MassDeletionGuard;
}

interface Pipelines {
  nodes: Pipeline<NodeState>;
  guests: Pipeline<GuestState>;
  storages: Pipeline<StorageState>;
}

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
 * memory and flushed every `metricsIntervalMs`. Guest details are fetched by a DetailFetcher;
 * when they change, the known guests are merged with them and written without asking PVE (no
 * listing is kept between polls).
 */
export class ClusterSync {
  readonly #options: ClusterSyncOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #writer: InventoryWriter;
  readonly #usage = new InventoryUsage();
  /** Digests of the rows the known guest states were made from (see RowDigests). */
  readonly #rowDigests = new RowDigests();
  readonly #status: StatusRecorder;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #detailsChanged = false;
  #synced = false;
  #nodeIps = new Map<string, string>();
  #nodeSet = '';
  /** The requests made when the sync started; the first poll takes them (and clears this). */
  #firstPoll: FirstPoll | undefined;

  constructor(options: ClusterSyncOptions) {
    this.#options = options;
    this.#clock = options.clock ?? realClock;
    this.#log = options.logger.child({
      cluster: options.cluster.name,
      cluster_id: options.cluster.id,
    });
    this.#status = new StatusRecorder(options.cluster.id, options.status);
    this.#writer = new InventoryWriter({
      db: options.db,
      clusterId: options.cluster.id,
      ...(options.writeSlots ? { slots: options.writeSlots } : {}),
      onProgress: (kind, written, total) =>
        this.#log.info(
          { kind, written, total },
          `writing inventory: ${written} of ${total} ${kind}s`,
        ),
    });
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

  /**
   * #prepare seeds the informers, the usage and the detail fetcher from what the database holds.
   * The stored rows are only read here, so they are garbage once it returns (a sync that kept
   * them would hold every object twice for its whole life).
   */
  async #prepare(signal: AbortSignal): Promise<Prepared> {
    const { cluster, settings } = this.#options;
    const load = () =>
      loadStoredInventory(this.#options.db, cluster.id, {
        verify: this.#options.verifyStored ?? false,
      });
    const slots = this.#options.writeSlots;
    const stored = await (slots ? slots.run(load, signal) : load());
    this.#usage.seed(stored);
    for (const { state } of stored.nodes) {
      if (state.ipAddress) this.#nodeIps.set(state.name, state.ipAddress);
    }
    const pipelines: Pipelines = {
      nodes: this.#pipeline(
        'node',
        stored.nodes.map((n) => n.state),
      ),
      guests: this.#pipeline(
        'vm',
        stored.guests.map((g) => g.state),
      ),
      storages: this.#pipeline(
        'storage',
        stored.storages.map((s) => s.state),
      ),
    };
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
    return {
      pipelines,
      details,
      loaded: {
        nodes: stored.nodes.length,
        vms: stored.guests.length,
        storages: stored.storages.length,
      },
    };
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { cluster, settings, firstSyncGate: gate } = this.#options;
    const leaveGate = gate?.enter() ?? (() => {});
    signal.addEventListener('abort', leaveGate, { once: true });
    const lister = createInventoryLister(settings.listStrategy, this.#options.client);
    // The first poll's requests go out at once: PVE answers them while the stored inventory loads.
    // Kept in a field the first poll clears, not in a local: #run's frame lives as long as the
    // sync, and would keep the first listing with it.
    this.#firstPoll = this.#startFirstPoll(lister, signal);
    await this.#status.record('SYNCING', null);
    let prepared: Prepared;
    try {
      prepared = await this.#prepare(signal);
    } catch (err) {
      // Stopped while waiting for a database slot: a stop, not a failure.
      if (signal.aborted) return;
      throw err;
    }
    const { pipelines, details, loaded } = prepared;
    const tasks = [
      pipelines.nodes.informer.run(signal),
      pipelines.guests.informer.run(signal),
      pipelines.storages.informer.run(signal),
      (gate?.whenOpen(signal) ?? Promise.resolve()).then(() => details.run(signal)),
      this.#flushLoop(signal),
    ];
    this.#log.info(
      { id: cluster.id, ...loaded },
      `cluster informer started cluster=${cluster.name} id=${cluster.id}`,
    );

    const backoff = new Backoff({ clock: this.#clock });
    const loop: CycleContext = {
      lister,
      pipelines,
      details,
      nextResync: this.#clock.now() + settings.resyncIntervalMs,
      lastCycle: Number.NEGATIVE_INFINITY,
    };
    let nextPoll = this.#clock.now();
    const detailDelay = settings.detailWriteDelayMs ?? 0;
    while (!signal.aborted) {
      const now = this.#clock.now();
      const pollDue = now >= nextPoll;
      const detailsDue = this.#detailsChanged && now >= loop.lastCycle + detailDelay;
      if (!pollDue && !detailsDue) {
        const until = this.#detailsChanged
          ? Math.min(nextPoll, loop.lastCycle + detailDelay)
          : nextPoll;
        await this.#sleep(until - now, signal);
        continue;
      }
      const started = now;
      try {
        const written = await this.#runCycle(loop, pollDue || !this.#synced, started, signal);
        this.#options.quietPoint?.();
        if (pollDue) {
          backoff.reset();
          nextPoll = nextPollAt(started, settings.pollIntervalMs, settings.pollPhaseMs);
          await this.#status.record('SYNCED', null, {
            at: new Date(this.#clock.now()),
            holdingWarning: this.#holding(pipelines),
          });
        }
        this.#options.counters?.cycle?.(
          cluster.id,
          written > 0 ? 'changed' : 'unchanged',
          this.#clock.now() - started,
        );
        leaveGate();
      } catch (err) {
        leaveGate();
        // The informers may hold states the digests do not describe: the next poll reads all.
        this.#rowDigests.clear();
        if (signal.aborted) break;
        const error = coerceError(err);
        const message = describeSyncError(error, cluster.apiUrl);
        this.#log.warn({ err: error, code: error.code }, `cluster sync failed: ${message}`);
        await this.#status.record('ERROR', message).catch(() => {});
        this.#options.counters?.cycle?.(cluster.id, 'error', this.#clock.now() - started);
        nextPoll = this.#clock.now() + Math.max(settings.pollIntervalMs, backoff.next());
      }
    }
    await Promise.allSettled(tasks);
    await this.#flushMetrics().catch(() => {});
  }

  /**
   * #runCycle runs one cycle — a poll, or (not `polled`) the known states with the guest details
   * that arrived since — through the informers and the writer, and returns the number of events
   * written. A cycle's states live in this call only: #run stays suspended between cycles, and V8
   * keeps what a suspended async function once held in its locals, so a cycle run in #run's own
   * frame kept its states (and arrays of them) alive until the next cycle — garbage that every
   * young-generation collection then copied and promoted.
   */
  async #runCycle(
    loop: CycleContext,
    polled: boolean,
    started: number,
    signal: AbortSignal,
  ): Promise<number> {
    const { lister, pipelines, details } = loop;
    let states: CycleStates | undefined;
    if (polled) {
      const resync = started >= loop.nextResync;
      const first = this.#firstPoll;
      this.#firstPoll = undefined;
      states = await this.#poll(lister, resync, pipelines, details, signal, first);
      if (resync) loop.nextResync = started + this.#options.settings.resyncIntervalMs;
    }
    this.#detailsChanged = false;
    loop.lastCycle = started;
    // A cycle for new details only is not an observation of PVE: it maps the known states
    // and bypasses the mass-deletion guards.
    states ??= detailCycleStates(this.#known(pipelines), details);
    await yieldToEventLoop();
    return this.#cycle(states, polled, pipelines, details, signal);
  }

  /**
   * #poll lists the cluster (and `/cluster/status` when the node set changed or `resync`) and
   * maps the listing to states. The listing is garbage once this returns: nothing keeps it until
   * the next poll.
   */
  async #poll(
    lister: InventoryLister,
    resync: boolean,
    pipelines: Pipelines,
    details: DetailFetcher,
    signal: AbortSignal,
    first?: FirstPoll,
  ): Promise<CycleStates> {
    // A resync reads every row in full; other polls only the rows that changed.
    const known = resync
      ? undefined
      : this.#rowDigests.lookup(
          (key) => pipelines.guests.informer.indexer.getByKey(key) !== undefined,
        );
    const startedAt = first?.startedAt ?? performance.now();
    const list = await (first?.list ?? lister.list(signal, known));
    this.#options.counters?.phase?.('list', performance.now() - startedAt);
    this.#options.counters?.guestRows?.(list.guests.length, list.unchangedGuests.length);
    await this.#refreshNodeIps(list, resync, signal, first?.status);
    // Reading the answer and mapping it are each a few ms of CPU at 1,000 guests: queries that
    // arrived meanwhile are answered between them, not after the whole cycle.
    await yieldToEventLoop();
    const mapping = performance.now();
    const states = buildCycleStates(
      list,
      this.#known(pipelines),
      details,
      this.#nodeIps,
      this.#usage,
    );
    this.#options.counters?.phase?.('map', performance.now() - mapping);
    return states;
  }

  /** #known is what the informers hold, as the state builders read it. */
  #known({ nodes, guests, storages }: Pipelines): KnownInventory {
    return {
      node: (key) => nodes.informer.indexer.getByKey(key),
      guest: (key) => guests.informer.indexer.getByKey(key),
      storage: (key) => storages.informer.indexer.getByKey(key),
      nodes: () => nodes.informer.indexer.list(),
      guests: () => guests.informer.indexer.list(),
      storages: () => storages.informer.indexer.list(),
    };
  }

  #pipeline<S extends { key: string; hash: string }>(kind: Kind, initial: S[]): Pipeline<S> {
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
    return {
      feed,
      informer,
      batch,
      guard: new MassDeletionGuard(this.#options.settings.deleteConfirmations),
    };
  }

  #holding(pipelines: Pipelines): boolean {
    return [pipelines.nodes, pipelines.guests, pipelines.storages].some((p) => p.guard.isHolding);
  }

  /**
   * #cycle pushes a cycle's states through the informers (a poll's through the mass-deletion
   * guards first) and writes what they found. Returns the number of events written.
   */
  async #cycle(
    states: CycleStates,
    guarded: boolean,
    pipelines: Pipelines,
    details: DetailFetcher,
    signal: AbortSignal,
  ): Promise<number> {
    const { nodes, guests, storages } = pipelines;
    const guard = <S extends { key: string; hash: string }>(
      kind: Kind,
      pipeline: Pipeline<S>,
      listed: S[],
    ) => (guarded ? this.#guard(kind, pipeline, listed) : listed);
    const applying = performance.now();
    await Promise.all([
      nodes.feed.push(guard('node', nodes, states.nodes), { signal }),
      guests.feed.push(guard('vm', guests, states.guests), { signal }),
      storages.feed.push(guard('storage', storages, states.storages), { signal }),
    ]);
    this.#options.counters?.phase?.('apply', performance.now() - applying);
    const changes = {
      nodes: nodes.batch.take(),
      guests: guests.batch.take(),
      storages: storages.batch.take(),
    };
    const changed = changes.nodes.size + changes.guests.size + changes.storages.size > 0;
    details.setOnlineNodes(states.nodes.filter((n) => n.status === 'online').map((n) => n.name));
    let events: InventoryEvent[];
    const writing = performance.now();
    try {
      events = await this.#writer.write(
        {
          ...changes,
          nodeUsage: (key) => this.#usage.nodes.get(key),
          guestUsage: (key) => this.#usage.guests.get(key),
          storageUsage: (key) => this.#usage.storages.get(key),
        },
        signal,
      );
    } catch (err) {
      // Not written: hand the changes back so the next cycle writes them (never lost).
      nodes.batch.restore(changes.nodes);
      guests.batch.restore(changes.guests);
      storages.batch.restore(changes.storages);
      throw err;
    }
    if (changed) this.#options.counters?.phase?.('write', performance.now() - writing);
    // Committed: subscribers hear of it first, the bookkeeping below (a walk over every guest)
    // comes after.
    if (events.length > 0) {
      const publishing = performance.now();
      this.#options.publish(events);
      this.#options.counters?.phase?.('publish', performance.now() - publishing);
      this.#options.counters?.events?.(this.#options.cluster.id, events.length);
    }
    this.#usage.written(changes);
    this.#rowDigests.remember(states.guestDigests, deletedKeys(changes.guests));
    logChanges(this.#log, events);
    details.track(guests.informer.indexer.list());
    for (const [before, after] of states.changedGuests) details.changed(before, after);
    this.#synced = true;
    return events.length;
  }

  /** #guard applies a kind's mass-deletion guard; a held deletion is logged and shown. */
  #guard<S extends { key: string; hash: string }>(
    kind: Kind,
    pipeline: Pipeline<S>,
    listed: S[],
  ): S[] {
    const { list, held } = guardList(pipeline.guard, pipeline.informer.indexer.list(), listed);
    if (held) {
      const more = held.needed - held.seen;
      const what = `${held.missing.length} of ${held.known} ${kind}s vanished from PVE's answer`;
      this.#log.warn(
        {
          kind,
          missing: held.missing.length,
          known: held.known,
          seen: held.seen,
          needed: held.needed,
        },
        `holding a mass deletion: ${what}; applied only if ${more} more poll(s) confirm it (a token that lost privileges looks like this)`,
      );
      void this.#status
        .record(
          'SYNCED',
          `warning: ${what} at once; the deletion is held until ${more} more poll(s) confirm it (check the API token's privileges)`,
        )
        .catch(() => {});
    }
    return list;
  }

  /**
   * #startFirstPoll asks for the first poll's listing and `/cluster/status` (which the first poll
   * always reads: the node set is new). Their rejections count as handled here: a sync stopped
   * before its first poll abandons them; the poll that awaits them still gets the error.
   */
  #startFirstPoll(lister: InventoryLister, signal: AbortSignal): FirstPoll {
    const startedAt = performance.now();
    const list = lister.list(signal);
    const status = this.#options.client.getClusterStatus({ signal });
    list.catch(() => {});
    status.catch(() => {});
    return { list, status, startedAt };
  }

  /**
   * Reads `/cluster/status` for node IPs at start, when the set of nodes changes and on resync
   * (`asked`: the answer of a request already made for this poll).
   */
  async #refreshNodeIps(
    list: InventoryList,
    resync: boolean,
    signal: AbortSignal,
    asked?: Promise<PveClusterStatus>,
  ): Promise<void> {
    const nodeSet = list.nodes
      .map((n) => n.name)
      .sort()
      .join(',');
    if (!resync && nodeSet === this.#nodeSet) return;
    this.#nodeSet = nodeSet;
    try {
      const status = await (asked ?? this.#options.client.getClusterStatus({ signal }));
      this.#nodeIps = new Map(status.nodes.filter((n) => n.ip).map((n) => [n.name, n.ip!]));
    } catch (err) {
      if (signal.aborted) throw err;
      this.#log.warn(
        { err: coerceError(err) },
        'cannot read /cluster/status (node IP addresses stay as they were)',
      );
    }
  }

  async #flushLoop(signal: AbortSignal): Promise<void> {
    const { metricsIntervalMs, metricsPhaseMs } = this.#options.settings;
    // The first flush one interval after the start, the later ones on the phase.
    let due = this.#clock.now() + metricsIntervalMs;
    while (!signal.aborted) {
      await this.#clock.sleep(Math.max(0, due - this.#clock.now()), signal);
      if (signal.aborted) return;
      due = nextPollAt(this.#clock.now(), metricsIntervalMs, metricsPhaseMs);
      await this.#flushMetrics().catch((err) =>
        this.#log.warn({ err: coerceError(err) }, 'usage metrics could not be written; will retry'),
      );
    }
  }

  async #flushMetrics(): Promise<void> {
    const { batch, commit } = this.#usage.pending();
    const written = await this.#writer.flushMetrics(batch);
    commit();
    if (written > 0) {
      this.#log.debug({ rows: written }, 'usage metrics written');
      this.#options.counters?.metricsFlushed?.(this.#options.cluster.id, written);
    }
    await this.#status.touch(new Date(this.#clock.now()));
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        timer.cancel();
        signal.removeEventListener('abort', done);
        this.#wake = undefined;
        resolve();
      };
      const timer = this.#clock.setTimer(ms, done);
      signal.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }
}

/** FirstPoll is the first poll's requests, made when the sync starts (performance.now()). */
interface FirstPoll {
  list: Promise<InventoryList>;
  status: Promise<PveClusterStatus>;
  startedAt: number;
}

/** deletedKeys are the keys a cycle's changes delete. */
function* deletedKeys(changes: ReadonlyMap<string, unknown>): Iterable<string> {
  for (const [key, state] of changes) if (state === null) yield key;
}
