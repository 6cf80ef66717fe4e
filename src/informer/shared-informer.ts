import type { BackoffOptions } from '../lib/backoff.js';
import { type Clock, realClock } from '../lib/clock.js';
import { coerceError } from '../lib/coerce-error.js';
import { type Logger, silentLogger } from '../lib/logger.js';
import { Condition } from './condition.js';
import { DeletedFinalStateUnknown } from './deleted-final-state-unknown.js';
import { DeltaFIFO, type Deltas, DeltaType } from './delta-fifo.js';
import { InformerError } from './errors.js';
import type {
  EventHandlerOptions,
  ResourceEventHandler,
  ResourceEventHandlerRegistration,
} from './event-handler.js';
import { YIELD_EVERY, yieldToEventLoop } from './event-loop.js';
import { type Indexers, type IndexReader, MemoryIndexer } from './indexer.js';
import { isAcknowledgeable, type ListerWatcher, type VersionFunc } from './list-watch.js';
import { type InformerMetrics, noopInformerMetrics } from './metrics.js';
import { ProcessorListener } from './processor-listener.js';
import { Reflector } from './reflector.js';
import { determineResyncPeriod, SharedProcessor } from './shared-processor.js';
import type { KeyFunc } from './store.js';

/** MINIMUM_RESYNC_PERIOD_MS is the smallest handler resync period honoured (client-go: 1 s). */
export const MINIMUM_RESYNC_PERIOD_MS = 1000;

/** SharedInformerOptions configures a SharedInformer. */
export interface SharedInformerOptions<T> {
  /** Computes an object's key (pvesphere: `qemu/101`). Required. */
  keyFunc: KeyFunc<T>;
  /**
   * Returns an object's resourceVersion (pvesphere: the content hash). An update whose old and
   * new versions are equal is a resync and reaches only handlers that asked for one. Required.
   */
  versionFunc: VersionFunc<T>;
  /** Identifies the informer in logs, errors and metrics. @default 'informer' */
  name?: string;
  /** Named indexes of the cache. @default {} */
  indexers?: Indexers<T>;
  /**
   * Resync period, in ms, of handlers registered without one, and the informer's initial resync
   * check period. 0 disables resync for the whole informer: as in client-go, a handler's own
   * period cannot then enable it. @default 0
   */
  defaultResyncPeriodMs?: number;
  /**
   * Objects the consumer already holds (pvesphere: rebuilt from the database at start). They fill
   * the cache silently before the first list, which is then diffed against them: unchanged objects
   * produce no handler call, changed ones onUpdate(known, listed), vanished ones onDelete
   * (tombstone). @default none
   */
  initialObjects?: Iterable<T>;
  /** Time source of the reflector, resync and handler schedules. @default realClock */
  clock?: Clock;
  /** Backoff between failed list-and-watch rounds. @default client-go's (see Reflector) */
  backoff?: BackoffOptions;
  /**
   * Single error sink: failed lists and watches and failing handlers. @default logs a warning
   * through `logger`
   */
  onError?: (error: Error) => void;
  /** Logger for the reflector's messages and default error reports. @default silentLogger */
  logger?: Logger;
  /** Metric hooks (list duration and errors, queue depth, deltas by type). @default none */
  metrics?: InformerMetrics;
}

/**
 * SharedInformer keeps an indexed cache of a resource current and tells any number of handlers
 * about every change (client-go `sharedIndexInformer`): a Reflector lists and watches the
 * ListerWatcher into a DeltaFIFO whose known objects are the cache; run() pops each key's deltas,
 * updates the cache and queues notifications for every handler. Handlers see onUpdate(old, new)
 * with the object the cache held before, because the cache changes only when a delta is popped.
 *
 * Resyncs (Sync deltas, and relisted objects whose version is unchanged) reach only handlers whose
 * own resync period is due. A handler added after start is first given the whole cache as
 * onAdd(obj, true). hasSynced() turns true once the first list has been popped; each handler
 * registration also reports whether that handler has finished its initial adds.
 *
 * Cycles: after every list and every Bookmark, once the corresponding deltas have been popped and
 * every handler has returned from the notifications they produced, the informer acknowledges the
 * resourceVersion to its ListerWatcher if it is Acknowledgeable (ListFeed.push() resolves then).
 * That is how a consumer writes one transaction per poll cycle.
 *
 * Errors never stop it: list and watch failures (even of the first list) go to onError and are
 * retried with backoff. Only run()'s AbortSignal stops it, for good.
 */
export class SharedInformer<T> {
  readonly name: string;
  readonly #lw: ListerWatcher<T>;
  readonly #keyFunc: KeyFunc<T>;
  readonly #versionFunc: VersionFunc<T>;
  readonly #indexer: MemoryIndexer<T>;
  readonly #processor: SharedProcessor<T>;
  readonly #clock: Clock;
  readonly #backoff: BackoffOptions | undefined;
  readonly #logger: Logger;
  readonly #metrics: InformerMetrics;
  readonly #onError: (error: Error) => void;
  readonly #defaultEventHandlerResyncPeriodMs: number;
  #resyncCheckPeriodMs: number;
  #started = false;
  #stopping = false;
  #stopped = false;
  #fifo: DeltaFIFO<T> | undefined;
  #reflector: Reflector<T> | undefined;
  readonly #syncCond = new Condition();
  #acknowledgements: Promise<void> = Promise.resolve();
  #lastHandledResourceVersion = '';

  constructor(lw: ListerWatcher<T>, options: SharedInformerOptions<T>) {
    const {
      keyFunc,
      versionFunc,
      name = 'informer',
      indexers = {},
      defaultResyncPeriodMs = 0,
      initialObjects = [],
      clock = realClock,
      backoff,
      logger = silentLogger,
      metrics = noopInformerMetrics,
    } = options;
    this.name = name;
    this.#lw = lw;
    this.#keyFunc = keyFunc;
    this.#versionFunc = versionFunc;
    this.#indexer = new MemoryIndexer(keyFunc, indexers);
    for (const obj of initialObjects) this.#indexer.add(obj);
    this.#processor = new SharedProcessor(clock);
    this.#clock = clock;
    this.#backoff = backoff;
    this.#logger = logger;
    this.#metrics = metrics;
    this.#onError =
      options.onError ?? ((error) => logger.warn({ informer: name, err: error }, 'informer error'));
    this.#defaultEventHandlerResyncPeriodMs = defaultResyncPeriodMs;
    this.#resyncCheckPeriodMs = defaultResyncPeriodMs;
  }

  /** indexer is the read-only view of the cache. */
  get indexer(): IndexReader<T> {
    return this.#indexer;
  }

  /** resyncCheckPeriodMs is how often the reflector asks whether a handler's resync is due. */
  get resyncCheckPeriodMs(): number {
    return this.#resyncCheckPeriodMs;
  }

  /** handlerCount is the number of registered handlers. */
  get handlerCount(): number {
    return this.#processor.listeners.length;
  }

  /**
   * addEventHandler registers a handler (see ResourceEventHandler) with its own resync period,
   * adjusted as client-go does: raised to 1 s at least; a period below the check period lowers
   * the check period before start, and is raised to it after start. After start, the handler first
   * receives onAdd(obj, true) for every cached object. Throws STOPPED once the informer stopped.
   */
  addEventHandler(
    handler: ResourceEventHandler<T>,
    options: EventHandlerOptions = {},
  ): ResourceEventHandlerRegistration {
    if (this.#stopped || this.#stopping) {
      throw new InformerError(
        'handler was not added to shared informer because it has stopped already',
        'STOPPED',
      );
    }
    let resyncPeriodMs = options.resyncPeriodMs ?? this.#defaultEventHandlerResyncPeriodMs;
    if (resyncPeriodMs > 0) {
      if (resyncPeriodMs < MINIMUM_RESYNC_PERIOD_MS) {
        this.#logger.warn(
          { informer: this.name, resyncPeriodMs },
          `resyncPeriod is too small; using the minimum of ${MINIMUM_RESYNC_PERIOD_MS} ms`,
        );
        resyncPeriodMs = MINIMUM_RESYNC_PERIOD_MS;
      }
      if (resyncPeriodMs < this.#resyncCheckPeriodMs) {
        if (this.#started) {
          this.#logger.warn(
            { informer: this.name, resyncPeriodMs, checkPeriodMs: this.#resyncCheckPeriodMs },
            'resyncPeriod is smaller than the resync check period of a started informer; using the check period',
          );
          resyncPeriodMs = this.#resyncCheckPeriodMs;
        } else {
          this.#resyncCheckPeriodMs = resyncPeriodMs;
          this.#processor.resyncCheckPeriodChanged(resyncPeriodMs);
        }
      }
    }
    const listener = new ProcessorListener<T>(
      handler,
      resyncPeriodMs,
      determineResyncPeriod(resyncPeriodMs, this.#resyncCheckPeriodMs),
      this.#clock.now(),
      { upstreamHasSynced: () => this.hasSynced(), onError: (error) => this.#report(error) },
    );
    this.#processor.addListener(listener);
    if (this.#started) {
      // Synchronous with respect to delta processing, as client-go's blockDeltas lock makes it.
      for (const obj of this.#indexer.list()) {
        listener.add({ kind: 'add', obj, isInInitialList: true });
      }
    }
    return listener;
  }

  /** removeEventHandler unregisters a handler; unknown or already removed ones are ignored. */
  removeEventHandler(registration: ResourceEventHandlerRegistration): void {
    if (registration instanceof ProcessorListener && this.#processor.has(registration)) {
      this.#processor.removeListener(registration as ProcessorListener<T>);
    }
  }

  /** isRegistered tells whether a registration is still active on this informer. */
  isRegistered(registration: ResourceEventHandlerRegistration): boolean {
    return registration instanceof ProcessorListener && this.#processor.has(registration);
  }

  /** addIndexers adds named indexes to the cache; throws ALREADY_STARTED after run(). */
  addIndexers(indexers: Indexers<T>): void {
    if (this.#started) throw new InformerError('informer has already started', 'ALREADY_STARTED');
    this.#indexer.addIndexers(indexers);
  }

  /**
   * run starts the reflector, the delta processing loop and the handlers, and resolves once
   * `signal` has aborted and all of them have stopped. A second call throws ALREADY_STARTED.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new InformerError('informer already started', 'ALREADY_STARTED');
    this.#started = true;
    const fifo = new DeltaFIFO<T>({
      keyFunction: this.#keyFunc,
      knownObjects: this.#indexer,
      emitDeltaTypeReplaced: true,
      name: this.name,
      metrics: this.#metrics,
      onResourceVersionPopped: (resourceVersion) => this.#onResourceVersionPopped(resourceVersion),
    });
    const reflector = new Reflector<T>(this.#lw, fifo, {
      name: this.name,
      resyncPeriodMs: this.#resyncCheckPeriodMs,
      shouldResync: () => this.#processor.shouldResync(),
      clock: this.#clock,
      ...(this.#backoff === undefined ? {} : { backoff: this.#backoff }),
      onError: (error) => this.#report(error),
      logger: this.#logger,
      metrics: this.#metrics,
    });
    this.#fifo = fifo;
    this.#reflector = reflector;
    const stop = (): void => {
      this.#stopping = true;
      fifo.close();
      this.#syncCond.broadcast();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    try {
      await Promise.all([
        this.#processor.run(signal),
        this.#processLoop(fifo, signal),
        reflector.run(signal),
      ]);
    } finally {
      this.#stopped = true;
      this.#syncCond.broadcast();
    }
  }

  /** hasSynced is true once the first list's deltas have all been popped into the cache. */
  hasSynced(): boolean {
    return this.#fifo?.hasSynced() ?? false;
  }

  /**
   * waitForCacheSync resolves true once hasSynced(), or false if `signal` aborts or the informer
   * stops first. Event-driven: it does not poll.
   */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    while (!this.hasSynced()) {
      if (this.#stopped || this.#stopping || signal?.aborted) return false;
      await this.#syncCond.wait(signal);
    }
    return true;
  }

  /** isStarted tells whether run() was called. */
  isStarted(): boolean {
    return this.#started;
  }

  /** isStopped tells whether run() has returned. */
  isStopped(): boolean {
    return this.#stopped;
  }

  /** lastSyncResourceVersion is the resourceVersion of the last list or Bookmark received. */
  lastSyncResourceVersion(): string {
    return this.#reflector?.lastSyncResourceVersion ?? '';
  }

  /** lastHandledResourceVersion is the last resourceVersion fully handled (see the class comment). */
  lastHandledResourceVersion(): string {
    return this.#lastHandledResourceVersion;
  }

  async #processLoop(fifo: DeltaFIFO<T>, signal: AbortSignal): Promise<void> {
    let sinceYield = 0;
    while (!signal.aborted) {
      try {
        await fifo.pop((deltas, isInInitialList) => this.#handleDeltas(deltas, isInInitialList));
      } catch (err) {
        const error = coerceError(err);
        if (error instanceof InformerError && error.code === 'FIFO_CLOSED') return;
        this.#report(error);
      }
      this.#checkSynced();
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    }
  }

  /** #handleDeltas applies one key's deltas, oldest first, to the cache and the handlers. */
  #handleDeltas(deltas: Deltas<T>, isInInitialList: boolean): void {
    for (const delta of deltas) {
      const obj = delta.object;
      if (delta.type === DeltaType.Deleted) {
        this.#indexer.delete(obj);
        this.#processor.distribute({ kind: 'delete', obj }, false);
        continue;
      }
      if (obj instanceof DeletedFinalStateUnknown) continue; // only deletions carry tombstones
      const old = this.#indexer.get(obj);
      if (old === undefined) {
        this.#indexer.add(obj);
        this.#processor.distribute({ kind: 'add', obj, isInInitialList }, false);
      } else {
        this.#indexer.update(obj);
        // Objects whose version did not change are resyncs: only for handlers due one.
        const isSync = this.#versionFunc(old) === this.#versionFunc(obj);
        this.#processor.distribute({ kind: 'update', oldObj: old, newObj: obj }, isSync);
      }
    }
  }

  #onResourceVersionPopped(resourceVersion: string): void {
    this.#checkSynced();
    const handled = this.#processor.whenHandled();
    this.#acknowledgements = this.#acknowledgements
      .then(() => handled)
      .then(() => {
        if (this.#stopping) return; // stopped handlers release their barriers unhandled
        this.#lastHandledResourceVersion = resourceVersion;
        if (isAcknowledgeable(this.#lw)) this.#lw.acknowledge(resourceVersion);
      })
      .catch((err: unknown) => this.#report(coerceError(err)));
  }

  #checkSynced(): void {
    if (this.#syncCond.waiting > 0 && this.hasSynced()) this.#syncCond.broadcast();
  }

  #report(error: Error): void {
    try {
      this.#onError(error);
    } catch {
      // The sink must not break the loop it reports for.
    }
  }
}

/**
 * waitForCacheSync waits for several informers (client-go `WaitForCacheSync`): true once all
 * have synced, false as soon as one cannot (signal aborted or informer stopped).
 */
export async function waitForCacheSync(
  signal: AbortSignal | undefined,
  ...informers: Array<{ waitForCacheSync(signal?: AbortSignal): Promise<boolean> }>
): Promise<boolean> {
  const results = await Promise.all(informers.map((informer) => informer.waitForCacheSync(signal)));
  return results.every(Boolean);
}
