import type { Clock } from '../lib/clock.js';
import type { Notification, ProcessorListener } from './processor-listener.js';

/**
 * determineResyncPeriod is the period a listener actually gets (client-go): 0 when it asked for
 * none or the informer does not resync at all, otherwise at least the informer's check period.
 */
export function determineResyncPeriod(desiredMs: number, checkMs: number): number {
  if (desiredMs === 0 || checkMs === 0) return 0;
  return Math.max(desiredMs, checkMs);
}

/**
 * SharedProcessor fans notifications out to the listeners of one SharedInformer (client-go
 * `sharedProcessor`). Non-sync notifications go to every listener; sync notifications (resyncs,
 * and relisted objects whose version did not change) only to the listeners found due at the last
 * shouldResync() check. Listeners added while running start at once.
 */
export class SharedProcessor<T> {
  readonly #clock: Clock;
  /** #listeners maps each listener to whether it is syncing (due at the last resync check). */
  readonly #listeners = new Map<ProcessorListener<T>, boolean>();
  #running: Array<Promise<void>> | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** listeners are the registered listeners, in registration order. */
  get listeners(): ProcessorListener<T>[] {
    return [...this.#listeners.keys()];
  }

  /** has tells whether a listener is registered. */
  has(listener: ProcessorListener<T>): boolean {
    return this.#listeners.has(listener);
  }

  /** addListener registers a listener and, if running, starts it. */
  addListener(listener: ProcessorListener<T>): void {
    this.#listeners.set(listener, false);
    this.#running?.push(listener.run());
  }

  /** removeListener stops and unregisters a listener; unknown listeners are ignored. */
  removeListener(listener: ProcessorListener<T>): void {
    if (!this.#listeners.delete(listener)) return;
    listener.stop();
  }

  /** distribute queues a notification for every listener, or only syncing ones when sync. */
  distribute(notification: Notification<T>, sync: boolean): void {
    for (const [listener, syncing] of this.#listeners) {
      if (!sync || syncing) listener.add(notification);
    }
  }

  /**
   * run starts every listener and, when signal aborts, stops and unregisters them all (a
   * listener cannot be reused), resolving once their loops have ended.
   */
  async run(signal: AbortSignal): Promise<void> {
    const running = [...this.#listeners.keys()].map((listener) => listener.run());
    this.#running = running;
    if (!signal.aborted) {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    }
    for (const listener of this.#listeners.keys()) listener.stop();
    this.#listeners.clear();
    this.#running = undefined;
    await Promise.all(running);
  }

  /**
   * shouldResync marks every listener due now as syncing (and schedules its next resync) and the
   * others as not; it returns whether any is due. The Reflector asks it at each resync tick.
   */
  shouldResync(): boolean {
    const now = this.#clock.now();
    let needed = false;
    for (const listener of this.#listeners.keys()) {
      const due = listener.shouldResync(now);
      this.#listeners.set(listener, due);
      if (due) {
        needed = true;
        listener.determineNextResync(now);
      }
    }
    return needed;
  }

  /** resyncCheckPeriodChanged re-derives every listener's period from a new check period. */
  resyncCheckPeriodChanged(checkPeriodMs: number): void {
    for (const listener of this.#listeners.keys()) {
      listener.setResyncPeriod(
        determineResyncPeriod(listener.requestedResyncPeriodMs, checkPeriodMs),
      );
    }
  }

  /** whenHandled resolves once every listener has handled what it was given before the call. */
  async whenHandled(): Promise<void> {
    await Promise.all([...this.#listeners.keys()].map((listener) => listener.whenHandled()));
  }
}
