import { exponentialDelay } from '../lib/backoff.js';
import { type Clock, realClock } from '../lib/clock.js';
import type { QueueItem } from './work-queue.js';

/**
 * RateLimiter decides how long an item waits before it is retried (client-go `RateLimiter`).
 * when(item) returns the delay in ms and counts a retry; forget(item) ends the item's failure
 * streak (call it after a success); numRequeues(item) is the current streak.
 */
export interface RateLimiter<T extends QueueItem = string> {
  when(item: T): number;
  forget(item: T): void;
  numRequeues(item: T): number;
}

/**
 * ItemExponentialFailureRateLimiter delays an item baseDelayMs × 2^failures, capped at
 * maxDelayMs, counting failures per item until forget().
 */
export class ItemExponentialFailureRateLimiter<T extends QueueItem = string>
  implements RateLimiter<T>
{
  readonly #failures = new Map<T, number>();

  constructor(
    readonly baseDelayMs: number,
    readonly maxDelayMs: number,
  ) {}

  when(item: T): number {
    const exp = this.#failures.get(item) ?? 0;
    this.#failures.set(item, exp + 1);
    return exponentialDelay(exp, {
      initialMs: this.baseDelayMs,
      factor: 2,
      maxMs: this.maxDelayMs,
    });
  }

  forget(item: T): void {
    this.#failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.#failures.get(item) ?? 0;
  }
}

/**
 * ItemFastSlowRateLimiter retries an item quickly (fastDelayMs) for its first maxFastAttempts
 * failures, then slowly (slowDelayMs).
 */
export class ItemFastSlowRateLimiter<T extends QueueItem = string> implements RateLimiter<T> {
  readonly #failures = new Map<T, number>();

  constructor(
    readonly fastDelayMs: number,
    readonly slowDelayMs: number,
    readonly maxFastAttempts: number,
  ) {}

  when(item: T): number {
    const failures = (this.#failures.get(item) ?? 0) + 1;
    this.#failures.set(item, failures);
    return failures <= this.maxFastAttempts ? this.fastDelayMs : this.slowDelayMs;
  }

  forget(item: T): void {
    this.#failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.#failures.get(item) ?? 0;
  }
}

/**
 * BucketRateLimiter is an overall token bucket (golang.org/x/time/rate as client-go uses it):
 * `qps` tokens per second, up to `burst` stored, starting full. Every when() takes a token and
 * returns how long until it is available (0 while the bucket has tokens). Not per item:
 * forget() does nothing and numRequeues() is 0.
 */
export class BucketRateLimiter<T extends QueueItem = string> implements RateLimiter<T> {
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    clock: Clock = realClock,
  ) {
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  when(_item: T): number {
    const now = this.#clock.now();
    const elapsedSeconds = Math.max(0, now - this.#last) / 1000;
    this.#tokens = Math.min(this.burst, this.#tokens + elapsedSeconds * this.qps);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.qps) * 1000;
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/**
 * MaxOfRateLimiter asks every limiter and returns the longest delay (and the largest
 * numRequeues); forget() forgets in all of them.
 */
export class MaxOfRateLimiter<T extends QueueItem = string> implements RateLimiter<T> {
  readonly #limiters: readonly RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    this.#limiters = limiters;
  }

  when(item: T): number {
    let delay = 0;
    for (const limiter of this.#limiters) delay = Math.max(delay, limiter.when(item));
    return delay;
  }

  forget(item: T): void {
    for (const limiter of this.#limiters) limiter.forget(item);
  }

  numRequeues(item: T): number {
    let requeues = 0;
    for (const limiter of this.#limiters) requeues = Math.max(requeues, limiter.numRequeues(item));
    return requeues;
  }
}

/**
 * defaultControllerRateLimiter is client-go's `DefaultControllerRateLimiter`: per item 5 ms × 2^n
 * up to 1000 s, and overall 10 retries per second with bursts of 100.
 */
export function defaultControllerRateLimiter<T extends QueueItem = string>(
  clock: Clock = realClock,
): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialFailureRateLimiter<T>(5, 1_000_000),
    new BucketRateLimiter<T>(10, 100, clock),
  );
}
