import { Backoff, type BackoffOptions } from '../lib/backoff.js';
import { type Clock, realClock } from '../lib/clock.js';
import { coerceError } from '../lib/coerce-error.js';
import { type Logger, silentLogger } from '../lib/logger.js';
import { abortable } from './abortable.js';
import { InformerError } from './errors.js';
import {
  isAcknowledgeable,
  type ListerWatcher,
  type ListResult,
  type WatchEvent,
} from './list-watch.js';
import { type InformerMetrics, noopInformerMetrics } from './metrics.js';
import type { Store } from './store.js';

/**
 * ResourceVersionUpdater is implemented by a Store that wants to track the Reflector's progress:
 * updateResourceVersion(rv) is called after every successful list (once its items are in the
 * store) and every Bookmark (client-go `ResourceVersionUpdater`; client-go also calls it per
 * event, but here object versions are content hashes, not positions in a stream).
 */
export interface ResourceVersionUpdater {
  updateResourceVersion(resourceVersion: string): void;
}

function isResourceVersionUpdater(value: object): value is ResourceVersionUpdater {
  return typeof (value as Partial<ResourceVersionUpdater>).updateResourceVersion === 'function';
}

/**
 * WatchErrorHandler receives every error that ends a list-and-watch round: failed lists, broken
 * watches, and events the store rejected. It must return quickly; the Reflector then backs off
 * and relists. It is the single error sink of a Reflector (client-go `WatchErrorHandler`).
 */
export type WatchErrorHandler = (error: Error) => void;

/** ReflectorOptions configures a Reflector. */
export interface ReflectorOptions {
  /** Identifies the reflector in logs, errors and metrics. @default 'reflector' */
  name?: string;
  /**
   * Period of resync checks during a watch, in ms; 0 disables resync. @default 0
   */
  resyncPeriodMs?: number;
  /**
   * Asked at each resync tick; the store's resync() runs only when it returns true.
   * @default undefined (always resync)
   */
  shouldResync?: () => boolean;
  /** Time source for backoff, resync and watch durations. @default realClock */
  clock?: Clock;
  /**
   * Backoff between failed rounds; the clock defaults to this reflector's. @default client-go's:
   * 0.8 s doubling to a 30 s cap, jitter 1.0, reset after 2 minutes without backoff
   */
  backoff?: BackoffOptions;
  /**
   * Error sink for every round that fails. @default logs a warning through `logger` (which
   * discards everything unless one is given)
   */
  onError?: WatchErrorHandler;
  /** Receives `reflector initial list completed` and default error reports. @default silentLogger */
  logger?: Logger;
  /** Receives list durations and list errors. @default noopInformerMetrics */
  metrics?: InformerMetrics;
}

/**
 * Reflector watches a source and causes all changes to be reflected in the given store
 * (client-go `Reflector`). run() repeats list-and-watch rounds until its signal aborts: list
 * everything and replace() the store with it, then apply watch events (Added → add, Modified →
 * update, Deleted → delete, Bookmark → record the resourceVersion) while resyncing periodically.
 *
 * A round that fails — a failed list, including the very first one, or a broken watch — is
 * reported to the single error sink (onError) and followed by a backoff (see ReflectorOptions)
 * and a relist; nothing ever stops a Reflector but its signal. A failed list replaces nothing,
 * so it deletes nothing; only a successful list can produce deletions (an empty one deletes
 * everything). A watch that ends normally is restarted without relisting, unless it lasted under
 * a second without any event (client-go's "very short watch"), which counts as a failure.
 */
export class Reflector<T> {
  readonly name: string;
  readonly #lw: ListerWatcher<T>;
  readonly #store: Store<T>;
  readonly #resyncPeriodMs: number;
  readonly #shouldResync: (() => boolean) | undefined;
  readonly #clock: Clock;
  readonly #backoff: Backoff;
  readonly #onError: WatchErrorHandler;
  readonly #logger: Logger;
  readonly #metrics: InformerMetrics;
  #lastSyncResourceVersion = '';
  #listed = false;

  constructor(lw: ListerWatcher<T>, store: Store<T>, options: ReflectorOptions = {}) {
    const {
      name = 'reflector',
      resyncPeriodMs = 0,
      shouldResync,
      clock = realClock,
      backoff = {},
      logger = silentLogger,
      metrics = noopInformerMetrics,
    } = options;
    this.name = name;
    this.#lw = lw;
    this.#store = store;
    this.#resyncPeriodMs = resyncPeriodMs;
    this.#shouldResync = shouldResync;
    this.#clock = clock;
    this.#backoff = new Backoff({ clock, ...backoff });
    this.#logger = logger;
    this.#metrics = metrics;
    this.#onError =
      options.onError ??
      ((error) => logger.warn({ reflector: name, err: error }, 'reflector list and watch failed'));
  }

  /** lastSyncResourceVersion is the resourceVersion of the last list or Bookmark applied. */
  get lastSyncResourceVersion(): string {
    return this.#lastSyncResourceVersion;
  }

  /**
   * run repeats listAndWatch, reporting failures and backing off between rounds, until signal
   * aborts; it then resolves (it never rejects). Every timer it set is cancelled by then.
   */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.listAndWatch(signal);
      } catch (err) {
        const error = coerceError(err);
        if (!signal.aborted) this.#report(error);
      }
      if (signal.aborted) break;
      await this.#backoff.wait(signal);
    }
  }

  /**
   * listAndWatch performs one round: list and replace, then watch (with resync) until the watch
   * fails (rejects with WATCH_FAILED) or signal aborts (resolves). A failed list rejects with
   * LIST_FAILED and leaves the store untouched.
   */
  async listAndWatch(signal: AbortSignal): Promise<void> {
    await this.#list(signal);
    if (signal.aborted) return;
    await this.#watchWithResync(signal);
  }

  async #list(signal: AbortSignal): Promise<void> {
    const started = this.#clock.now();
    let result: ListResult<T>;
    try {
      result = await abortable(
        this.#lw.list({ resourceVersion: this.#lastSyncResourceVersion, signal }),
        signal,
      );
    } catch (err) {
      const error = coerceError(err);
      if (signal.aborted) return;
      this.#metrics.incListErrors(this.name);
      throw new InformerError(`failed to list ${this.name}: ${error.message}`, 'LIST_FAILED', {
        cause: error,
      });
    } finally {
      this.#metrics.observeListDuration(this.name, (this.#clock.now() - started) / 1000);
    }
    if (signal.aborted) return; // a list that completes after stop is not applied
    this.#store.replace(result.items, result.resourceVersion);
    this.#progress(result.resourceVersion);
    if (!this.#listed) {
      this.#listed = true;
      this.#logger.info(
        { name: this.name, count: result.items.length },
        `reflector initial list completed name=${this.name} count=${result.items.length}`,
      );
    }
  }

  async #watchWithResync(signal: AbortSignal): Promise<void> {
    const round = new AbortController();
    const stopRound = (): void => round.abort();
    signal.addEventListener('abort', stopRound, { once: true });
    const resync = this.#resyncLoop(round.signal);
    try {
      await this.#watch(round.signal);
    } finally {
      signal.removeEventListener('abort', stopRound);
      round.abort();
      await resync;
    }
  }

  async #watch(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const started = this.#clock.now();
      let events = 0;
      let storeError: Error | undefined;
      const sink = (event: WatchEvent<T>): void => {
        if (signal.aborted) return;
        events++;
        try {
          this.#apply(event);
        } catch (err) {
          storeError ??= coerceError(err);
        }
      };
      try {
        await abortable(
          this.#lw.watch(sink, { resourceVersion: this.#lastSyncResourceVersion, signal }),
          signal,
        );
      } catch (err) {
        const error = coerceError(err);
        if (signal.aborted) return;
        throw new InformerError(
          `watch of ${this.name} ended with: ${error.message}`,
          'WATCH_FAILED',
          { cause: error },
        );
      }
      if (signal.aborted) return;
      if (storeError !== undefined) {
        throw new InformerError(
          `${this.name}: unable to apply watch event: ${storeError.message}`,
          'WATCH_FAILED',
          { cause: storeError },
        );
      }
      if (this.#clock.now() - started < 1000 && events === 0) {
        throw new InformerError(
          `very short watch: ${this.name}: Unexpected watch close - watch lasted less than a second and no items received`,
          'WATCH_FAILED',
        );
      }
    }
  }

  #apply(event: WatchEvent<T>): void {
    switch (event.type) {
      case 'Added':
        this.#store.add(event.object);
        break;
      case 'Modified':
        this.#store.update(event.object);
        break;
      case 'Deleted':
        this.#store.delete(event.object);
        break;
      case 'Bookmark':
        this.#progress(event.resourceVersion);
        break;
    }
  }

  /** #progress records a resourceVersion and tells whoever tracks progress. */
  #progress(resourceVersion: string): void {
    this.#lastSyncResourceVersion = resourceVersion;
    if (isResourceVersionUpdater(this.#store)) {
      this.#store.updateResourceVersion(resourceVersion);
    } else if (isAcknowledgeable(this.#lw)) {
      // Nothing downstream of a plain store: applying was handling.
      this.#lw.acknowledge(resourceVersion);
    }
  }

  async #resyncLoop(signal: AbortSignal): Promise<void> {
    if (this.#resyncPeriodMs <= 0) return;
    for (;;) {
      await this.#clock.sleep(this.#resyncPeriodMs, signal);
      if (signal.aborted) return;
      if (this.#shouldResync === undefined || this.#shouldResync()) {
        try {
          this.#store.resync();
        } catch (err) {
          this.#report(coerceError(err));
        }
      }
    }
  }

  #report(error: Error): void {
    try {
      this.#onError(error);
    } catch {
      // The sink must not break the loop it reports for.
    }
  }
}
