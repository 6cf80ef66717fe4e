interface Waiter {
  readonly cycle: number;
  readonly resolve: () => void;
}

/**
 * CycleTracker numbers the lists a source hands out ("1", "2", … used as resourceVersions) and
 * records how far the consumer has acknowledged them. Acknowledging a number also acknowledges
 * every earlier one: when several pushed lists are superseded by a newer one before being
 * delivered, the newer list's acknowledgement releases the waiters of all of them.
 */
export class CycleTracker {
  #issued = 0;
  #handled = 0;
  #waiters: Waiter[] = [];

  /** lastIssued is the resourceVersion of the latest cycle ("" before the first). */
  get lastIssued(): string {
    return this.#issued === 0 ? '' : String(this.#issued);
  }

  /** lastHandled is the latest acknowledged resourceVersion ("" before the first). */
  get lastHandled(): string {
    return this.#handled === 0 ? '' : String(this.#handled);
  }

  /** issue starts a new cycle and returns its resourceVersion. */
  issue(): string {
    return String(++this.#issued);
  }

  /** acknowledge marks `resourceVersion` and every earlier cycle handled; foreign values are ignored. */
  acknowledge(resourceVersion: string): void {
    const cycle = Number(resourceVersion);
    if (!Number.isSafeInteger(cycle) || cycle <= this.#handled || cycle > this.#issued) return;
    this.#handled = cycle;
    const remaining: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.cycle <= cycle) waiter.resolve();
      else remaining.push(waiter);
    }
    this.#waiters = remaining;
  }

  /**
   * whenHandled resolves once `resourceVersion` (a value issue() returned) is acknowledged, or
   * rejects with the signal's reason if `signal` aborts first.
   */
  whenHandled(resourceVersion: string, signal?: AbortSignal): Promise<void> {
    const cycle = Number(resourceVersion);
    if (cycle <= this.#handled) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== entry);
        reject(signal?.reason);
      };
      const entry: Waiter = {
        cycle,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#waiters.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
