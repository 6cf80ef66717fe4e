import { type Clock, realClock } from '../lib/clock.js';
import { coerceError } from '../lib/coerce-error.js';
import { abortable } from './abortable.js';
import { CycleTracker } from './cycle-tracker.js';
import { type ListChanges, ListDiff } from './list-diff.js';
import type {
  Acknowledgeable,
  ListerWatcher,
  ListOptions,
  ListResult,
  VersionFunc,
  WatchOptions,
  WatchSink,
} from './list-watch.js';
import { type InformerMetrics, noopInformerMetrics } from './metrics.js';
import type { KeyFunc } from './store.js';

/** PollResult describes one poll, for PollingWatchOptions.onPoll. */
export interface PollResult extends ListChanges {
  /** resourceVersion of this poll; pass it to whenHandled() to await its handling. */
  resourceVersion: string;
  /** relist is true for a full list (the Reflector's list(): a replace, not a diff). */
  relist: boolean;
  /** listed is the number of objects the poll returned. */
  listed: number;
  /** durationMs is how long the list function took. */
  durationMs: number;
}

/** PollingWatchOptions configures a PollingWatch. */
export interface PollingWatchOptions<T> {
  /** Lists every object now; rejecting means "unknown", never "empty". Required. */
  list: (signal: AbortSignal) => Promise<readonly T[]>;
  /** Computes an object's key. Required. */
  keyFunc: KeyFunc<T>;
  /** Computes an object's resourceVersion, typically a content hash. Required. */
  versionFunc: VersionFunc<T>;
  /** Delay between the end of one poll and the start of the next, in ms. @default 5_000 */
  intervalMs?: number;
  /** Time source of the poll interval. @default realClock */
  clock?: Clock;
  /** Label for metrics. @default 'polling-watch' */
  name?: string;
  /** Receives the duration and failures of every poll. @default noopInformerMetrics */
  metrics?: InformerMetrics;
  /** Called after each successful poll's events have been emitted. @default none */
  onPoll?: (result: PollResult) => void;
}

/**
 * PollingWatch is a ListerWatcher for an API without a watch (PVE): list() calls the list
 * function; watch() calls it again every intervalMs and emits only the differences from the
 * previous list (ListDiff: Added, Modified when the version differs, Deleted for missing keys —
 * an empty successful list deletes everything known), followed by a Bookmark whose
 * resourceVersion numbers the poll. Unchanged objects produce nothing.
 *
 * A failed poll makes watch() reject: the Reflector reports it, backs off and relists, and a
 * failed list deletes nothing. A relist is a full replace(), which the informer diffs against its
 * cache, so it too reaches handlers only for real changes.
 *
 * Starting from a known state (a database) is done by seeding the informer
 * (SharedInformerOptions.initialObjects): the first list is diffed against it. Implements
 * Acknowledgeable: whenHandled(resourceVersion) resolves once a poll has been handled.
 */
export class PollingWatch<T> implements ListerWatcher<T>, Acknowledgeable {
  readonly name: string;
  readonly intervalMs: number;
  readonly #list: (signal: AbortSignal) => Promise<readonly T[]>;
  readonly #diff: ListDiff<T>;
  readonly #cycles = new CycleTracker();
  readonly #clock: Clock;
  readonly #metrics: InformerMetrics;
  readonly #onPoll: ((result: PollResult) => void) | undefined;

  constructor(options: PollingWatchOptions<T>) {
    const {
      intervalMs = 5_000,
      clock = realClock,
      name = 'polling-watch',
      metrics = noopInformerMetrics,
    } = options;
    this.name = name;
    this.intervalMs = intervalMs;
    this.#list = options.list;
    this.#diff = new ListDiff(options);
    this.#clock = clock;
    this.#metrics = metrics;
    this.#onPoll = options.onPoll;
  }

  /** list performs a full list and makes it the state later polls are diffed against. */
  async list(options: ListOptions): Promise<ListResult<T>> {
    const started = this.#clock.now();
    const items = await this.#poll(options.signal);
    this.#diff.reset(items);
    const resourceVersion = this.#cycles.issue();
    this.#onPoll?.({
      resourceVersion,
      relist: true,
      listed: items.length,
      added: items.length,
      modified: 0,
      deleted: 0,
      durationMs: this.#clock.now() - started,
    });
    return { items, resourceVersion };
  }

  /** watch polls every intervalMs until options.signal aborts, or rejects on a failed poll. */
  async watch(sink: WatchSink<T>, options: WatchOptions): Promise<void> {
    const { signal } = options;
    for (;;) {
      await this.#clock.sleep(this.intervalMs, signal);
      if (signal.aborted) return;
      const started = this.#clock.now();
      let items: readonly T[];
      try {
        items = await this.#poll(signal);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      if (signal.aborted) return;
      const changes = this.#diff.diff(items, sink);
      const resourceVersion = this.#cycles.issue();
      sink({ type: 'Bookmark', resourceVersion });
      this.#onPoll?.({
        resourceVersion,
        relist: false,
        listed: items.length,
        ...changes,
        durationMs: this.#clock.now() - started,
      });
    }
  }

  acknowledge(resourceVersion: string): void {
    this.#cycles.acknowledge(resourceVersion);
  }

  /**
   * whenHandled resolves once the poll with this resourceVersion (or a later one) has been
   * handled by the consuming informer; rejects if signal aborts first.
   */
  whenHandled(resourceVersion: string, signal?: AbortSignal): Promise<void> {
    return this.#cycles.whenHandled(resourceVersion, signal);
  }

  async #poll(signal: AbortSignal): Promise<readonly T[]> {
    const started = this.#clock.now();
    try {
      return await abortable(this.#list(signal), signal);
    } catch (err) {
      const error = coerceError(err);
      if (!signal.aborted) this.#metrics.incListErrors(this.name);
      throw error;
    } finally {
      this.#metrics.observeListDuration(this.name, (this.#clock.now() - started) / 1000);
    }
  }
}
