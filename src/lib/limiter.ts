/**
 * Limiter runs at most `concurrency` tasks at once; further `run` calls wait in FIFO order.
 * A waiting call whose AbortSignal fires leaves the queue and rejects with the signal's reason
 * without ever starting its task; a started task is not interrupted by the limiter (pass the
 * signal to the task for that). A task's rejection is passed through and frees its slot.
 */
export class Limiter {
  readonly concurrency: number;
  #active = 0;
  readonly #waiting: Array<{ start: () => void }> = [];

  /** @param concurrency maximum number of tasks running at once, an integer >= 1. */
  constructor(concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`Limiter concurrency must be an integer >= 1, got ${concurrency}`);
    }
    this.concurrency = concurrency;
  }

  /** active is the number of tasks running now. */
  get active(): number {
    return this.#active;
  }

  /** pending is the number of calls waiting for a slot. */
  get pending(): number {
    return this.#waiting.length;
  }

  /** run waits for a free slot (or rejects if `signal` aborts first), then runs `task`. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#active < this.concurrency) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#active++;
          resolve();
        },
      };
      const onAbort = () => {
        const index = this.#waiting.indexOf(entry);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(entry);
    });
  }

  #release(): void {
    this.#active--;
    this.#waiting.shift()?.start();
  }
}
