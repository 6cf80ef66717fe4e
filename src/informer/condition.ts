/**
 * Condition is the single-threaded counterpart of Go's `sync.Cond`: waiters park on wait() and
 * are all released by broadcast(). As with a condition variable, a woken waiter re-checks the
 * state it waits for in a loop; wait() also returns when `signal` aborts, and never rejects.
 */
export class Condition {
  #waiters: Array<() => void> = [];

  /** waiting is the number of parked waiters. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** wait resolves at the next broadcast(), or immediately / as soon as signal aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const release = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(release);
        if (index >= 0) this.#waiters.splice(index, 1);
        resolve();
      };
      this.#waiters.push(release);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** broadcast releases every parked waiter. */
  broadcast(): void {
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const release of waiters) release();
  }
}
