import { Condition } from '../informer/condition.js';
import { type Clock, realClock } from '../lib/clock.js';

/**
 * FirstSyncGate puts every cluster's inventory before anyone's details. While some cluster is
 * still listing and writing for the first time (a server start, or clusters enabled together),
 * guest detail calls (config, guest agent: one or two per guest) of the clusters already written
 * wait: they would compete for the same event loop, database and PVE connections and delay the
 * inventory the user is waiting for. A cluster leaves the gate when its first cycle is written or
 * has failed (a failing cluster never holds the others' details back), and nobody waits longer
 * than `maxWaitMs`.
 */
export class FirstSyncGate {
  readonly #clock: Clock;
  readonly #maxWaitMs: number;
  readonly #changed = new Condition();
  #syncing = 0;

  /**
   * @param options.maxWaitMs the longest any caller of whenOpen waits. @default 30000
   * @param options.clock injected for tests. @default realClock
   */
  constructor(options: { maxWaitMs?: number; clock?: Clock } = {}) {
    this.#clock = options.clock ?? realClock;
    this.#maxWaitMs = options.maxWaitMs ?? 30_000;
  }

  /** syncing is how many clusters are in their first sync now. */
  get syncing(): number {
    return this.#syncing;
  }

  /** enter marks a first sync begun; call the returned function (once or more) when it ends. */
  enter(): () => void {
    this.#syncing++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#syncing--;
      if (this.#syncing === 0) this.#changed.broadcast();
    };
  }

  /** whenOpen resolves once no first sync is running, after maxWaitMs, or when signal aborts. */
  async whenOpen(signal: AbortSignal): Promise<void> {
    if (this.#syncing === 0 || signal.aborted) return;
    const timeout = new AbortController();
    const timer = this.#clock.setTimer(this.#maxWaitMs, () => timeout.abort());
    const either = AbortSignal.any([signal, timeout.signal]);
    try {
      while (this.#syncing > 0 && !either.aborted) await this.#changed.wait(either);
    } finally {
      timer.cancel();
    }
  }
}
