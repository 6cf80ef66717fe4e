/**
 * ClockTimer is a callback scheduled on a Clock. cancel() prevents it from running; cancelling a
 * timer that already ran, or cancelling twice, does nothing.
 */
export interface ClockTimer {
  cancel(): void;
}

/**
 * Clock is the only source of time for code that waits (backoff, polling, resync, delayed
 * queues). Production code takes `realClock`; tests pass a `FakeClock` and move time with
 * `advance()`, so they never sleep for real (client-go's `clock.Clock`, injected the same way).
 */
export interface Clock {
  /** now returns the current time in milliseconds since the Unix epoch. */
  now(): number;
  /**
   * setTimer runs `callback` once, `delayMs` from now (a negative delay counts as 0). Timers due
   * at the same instant run in the order they were set.
   */
  setTimer(delayMs: number, callback: () => void): ClockTimer;
  /**
   * sleep resolves after `delayMs`, or as soon as `signal` aborts. It never rejects: a caller
   * that passed a signal checks `signal.aborted` afterwards to learn which of the two happened.
   */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void>;
}

/**
 * sleepOn implements Clock.sleep on top of a clock's own timers, so that both clocks share one
 * definition of "resolve on time or on abort, never reject".
 */
function sleepOn(clock: Clock, delayMs: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      resolve();
    };
    const timer = clock.setTimer(delayMs, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * realClock reads the monotonic high-resolution timer (aligned to the epoch) and schedules with
 * Node's timers. Its timers keep the process alive until they fire or are cancelled: stop every
 * loop with its AbortSignal.
 */
export const realClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimer(delayMs, callback) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(handle) };
  },
  sleep(delayMs, signal) {
    return sleepOn(realClock, delayMs, signal);
  },
};

interface FakeTimer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/** FakeClockOptions configures a FakeClock. */
export interface FakeClockOptions {
  /** Time the clock starts at, in ms since the epoch. @default 0 */
  startMs?: number;
  /**
   * How many event-loop turns `flush()` lets pass, so that promise chains woken by a timer run
   * to their next wait before time moves again. @default 10
   */
  flushTurns?: number;
}

/**
 * FakeClock is a Clock for tests: time stands still until `advance(ms)` moves it. advance fires
 * every timer due on the way, earliest first (ties in the order they were set), and after each
 * one lets the woken code run (`flush()`), so a loop that sleeps again inside the same window is
 * fired again deterministically. Nothing waits on real time except the event-loop turns of
 * `flush()` (setImmediate), which never sleep.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: FakeTimer[] = [];
  readonly #flushTurns: number;

  constructor(options: FakeClockOptions = {}) {
    this.#now = options.startMs ?? 0;
    this.#flushTurns = options.flushTurns ?? 10;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, callback: () => void): ClockTimer {
    const timer: FakeTimer = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, callback };
    this.#timers.push(timer);
    return {
      cancel: () => {
        const index = this.#timers.indexOf(timer);
        if (index >= 0) this.#timers.splice(index, 1);
      },
    };
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }

  /** pendingTimers is the number of timers set and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** nextTimerAt is the time the earliest pending timer is due, or undefined when none is. */
  get nextTimerAt(): number | undefined {
    return this.#earliest()?.at;
  }

  /**
   * advance moves time forward by `ms`, running every timer that falls due (in due order) and
   * flushing after each. It resolves with the clock at exactly `now + ms`.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + Math.max(0, ms);
    await this.flush();
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.at > target) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
      await this.flush();
    }
    this.#now = target;
    await this.flush();
  }

  /**
   * advanceToNextTimer moves time to the earliest pending timer and fires it (and any due at the
   * same instant). Returns false, without moving time, when no timer is pending.
   */
  async advanceToNextTimer(): Promise<boolean> {
    const next = this.#earliest();
    if (next === undefined) return false;
    await this.advance(next.at - this.#now);
    return true;
  }

  /** flush lets pending promise continuations and immediates run, without moving time. */
  async flush(): Promise<void> {
    for (let turn = 0; turn < this.#flushTurns; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  #earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const timer of this.#timers) {
      if (
        best === undefined ||
        timer.at < best.at ||
        (timer.at === best.at && timer.seq < best.seq)
      ) {
        best = timer;
      }
    }
    return best;
  }
}
