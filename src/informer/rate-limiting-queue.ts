import { type Clock, type ClockTimer, realClock } from '../lib/clock.js';
import { MinHeap } from './min-heap.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';
import { type QueueItem, WorkQueue, type WorkQueueOptions } from './work-queue.js';

/** RateLimitingQueueOptions configures a RateLimitingQueue. */
export interface RateLimitingQueueOptions<T extends QueueItem> extends WorkQueueOptions {
  /** Time source of delays. @default realClock */
  clock?: Clock;
  /** Decides retry delays. @default defaultControllerRateLimiter(clock) */
  rateLimiter?: RateLimiter<T>;
}

/**
 * RateLimitingQueue is a WorkQueue with delayed adds and rate-limited retries (client-go's
 * delaying and rate-limiting queues). The usual consumer loop:
 *
 *     const key = await queue.get(); if (key === undefined) return;
 *     try { await sync(key); queue.forget(key); } catch { queue.addRateLimited(key); }
 *     finally { queue.done(key); }
 *
 * A failed key is therefore retried after its backoff and never lost: re-added while still being
 * processed, it waits in the dirty set and is queued again by done(). Waiting items are dropped at
 * shutdown.
 */
export class RateLimitingQueue<T extends QueueItem = string> extends WorkQueue<T> {
  readonly #clock: Clock;
  readonly #rateLimiter: RateLimiter<T>;
  /** #waiting maps each delayed item to the time it is ready; the heap may hold stale entries. */
  readonly #waiting = new Map<T, number>();
  readonly #heap = new MinHeap<T>();
  #timer: ClockTimer | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(options: RateLimitingQueueOptions<T> = {}) {
    super(options);
    this.#clock = options.clock ?? realClock;
    this.#rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<T>(this.#clock);
  }

  /** waitingCount is the number of items waiting for their delay. */
  get waitingCount(): number {
    return this.#waiting.size;
  }

  /**
   * addAfter adds item once delayMs has passed (at once if ≤ 0). An item already waiting keeps
   * the earlier of its two ready times.
   */
  addAfter(item: T, delayMs: number): void {
    if (this.shuttingDown()) return;
    if (delayMs <= 0) {
      this.add(item);
      return;
    }
    const readyAt = this.#clock.now() + delayMs;
    const existing = this.#waiting.get(item);
    if (existing !== undefined && existing <= readyAt) return;
    this.#waiting.set(item, readyAt);
    this.#heap.push(item, readyAt);
    this.#arm();
  }

  /** addRateLimited adds item after the rate limiter's delay for it (a retry). */
  addRateLimited(item: T): void {
    this.addAfter(item, this.#rateLimiter.when(item));
  }

  /** forget ends item's failure streak in the rate limiter (call after a success). */
  forget(item: T): void {
    this.#rateLimiter.forget(item);
  }

  /** numRequeues is item's current failure streak. */
  numRequeues(item: T): number {
    return this.#rateLimiter.numRequeues(item);
  }

  override shutDown(): void {
    super.shutDown();
    this.#stopWaiting();
  }

  override async shutDownWithDrain(): Promise<void> {
    this.#stopWaiting();
    await super.shutDownWithDrain();
  }

  #stopWaiting(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    this.#waiting.clear();
    this.#heap.clear();
  }

  /** #arm makes sure a timer is set for the earliest waiting item. */
  #arm(): void {
    const next = this.#heap.peek();
    if (next === undefined || next.priority >= this.#timerAt) return;
    this.#timer?.cancel();
    this.#timerAt = next.priority;
    this.#timer = this.#clock.setTimer(next.priority - this.#clock.now(), () => this.#fire());
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    for (;;) {
      const next = this.#heap.peek();
      if (next === undefined || next.priority > now) break;
      this.#heap.pop();
      if (this.#waiting.get(next.value) !== next.priority) continue; // superseded entry
      this.#waiting.delete(next.value);
      this.add(next.value);
    }
    this.#arm();
  }
}
