import { type Clock, realClock } from './clock.js';

/** ExponentialDelayOptions are the parameters of exponentialDelay. */
export interface ExponentialDelayOptions {
  /** Delay of attempt 0, in ms. */
  initialMs: number;
  /** Multiplier applied per attempt. */
  factor: number;
  /** Upper bound of the delay, in ms. */
  maxMs: number;
}

/**
 * exponentialDelay is `min(initialMs * factor ** attempt, maxMs)` for attempt 0, 1, 2, …, without
 * jitter. Overflow (a huge attempt count) yields maxMs, as client-go's
 * ItemExponentialFailureRateLimiter does.
 */
export function exponentialDelay(attempt: number, options: ExponentialDelayOptions): number {
  const delay = options.initialMs * options.factor ** Math.max(0, attempt);
  return Number.isFinite(delay) ? Math.min(delay, options.maxMs) : options.maxMs;
}

/**
 * jitter returns `ms` plus a random extra of up to `maxFactor * ms`, i.e. a value in
 * [ms, ms * (1 + maxFactor)). A maxFactor ≤ 0 means 1, as in apimachinery's `wait.Jitter`.
 */
export function jitter(ms: number, maxFactor: number, random: () => number = Math.random): number {
  const factor = maxFactor > 0 ? maxFactor : 1;
  return ms + random() * factor * ms;
}

/** BackoffOptions configures a Backoff. The defaults are client-go's Reflector backoff. */
export interface BackoffOptions {
  /** First delay, in ms. @default 800 */
  initialMs?: number;
  /** Cap of the un-jittered delay, in ms. @default 30_000 */
  maxMs?: number;
  /** Multiplier per consecutive failure. @default 2 */
  factor?: number;
  /** Jitter factor: each delay is stretched by up to this fraction of itself; 0 disables. @default 1 */
  jitter?: number;
  /**
   * Time without calling next() after which the sequence starts again from initialMs — the
   * source is assumed healthy again. @default 120_000
   */
  resetAfterMs?: number;
  /** Clock used to measure resetAfterMs and to sleep in wait(). @default realClock */
  clock?: Clock;
  /** Random source in [0, 1) for jitter; tests pass a constant. @default Math.random */
  random?: () => number;
}

/**
 * Backoff is an exponential backoff with jitter and reset, a port of apimachinery's
 * `NewExponentialBackoffManager` as client-go's Reflector configures it: 0.8 s, doubling, capped
 * at 30 s, jitter 1.0 — so a source that keeps failing is retried every [30 s, 60 s) ("0.22 QPS",
 * reflector.go) — and reset once no backoff was needed for 2 minutes.
 *
 * next() returns the delay to wait now and advances the sequence. If more than resetAfterMs passed
 * since the previous next() call, the sequence restarts from initialMs first. Not shared between
 * loops: each loop owns its Backoff.
 */
export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  readonly resetAfterMs: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  #attempt = 0;
  #lastBackoffStart: number;

  constructor(options: BackoffOptions = {}) {
    const {
      initialMs = 800,
      maxMs = 30_000,
      factor = 2,
      jitter: jitterFactor = 1,
      resetAfterMs = 120_000,
      clock = realClock,
      random = Math.random,
    } = options;
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.factor = factor;
    this.jitter = jitterFactor;
    this.resetAfterMs = resetAfterMs;
    this.#clock = clock;
    this.#random = random;
    this.#lastBackoffStart = clock.now();
  }

  /** attempt is how many delays the current sequence has handed out since its last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** next returns the next delay in ms (see the class comment for the reset rule). */
  next(): number {
    const now = this.#clock.now();
    if (now - this.#lastBackoffStart > this.resetAfterMs) this.#attempt = 0;
    this.#lastBackoffStart = now;
    const delay = exponentialDelay(this.#attempt++, this);
    return this.jitter > 0 ? jitter(delay, this.jitter, this.#random) : delay;
  }

  /** reset restarts the sequence from initialMs. */
  reset(): void {
    this.#attempt = 0;
  }

  /** wait sleeps for next() on the clock; it resolves early, without error, if signal aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    return this.#clock.sleep(this.next(), signal);
  }
}
