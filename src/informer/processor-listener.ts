import { coerceError } from '../lib/coerce-error.js';
import { ArrayQueue } from './array-queue.js';
import { Condition } from './condition.js';
import type { DeletedFinalStateUnknown } from './deleted-final-state-unknown.js';
import { InformerError } from './errors.js';
import type { ResourceEventHandler, ResourceEventHandlerRegistration } from './event-handler.js';
import { YIELD_EVERY, yieldToEventLoop } from './event-loop.js';

/** Notification is one call to make on a handler, as queued for it by the shared processor. */
export type Notification<T> =
  | { readonly kind: 'add'; readonly obj: T; readonly isInInitialList: boolean }
  | { readonly kind: 'update'; readonly oldObj: T; readonly newObj: T }
  | { readonly kind: 'delete'; readonly obj: T | DeletedFinalStateUnknown<T> };

/** ProcessorListenerOptions are what a ProcessorListener needs from its informer. */
export interface ProcessorListenerOptions {
  /** The informer's hasSynced, the upstream half of this listener's hasSynced. */
  upstreamHasSynced: () => boolean;
  /** Receives a HANDLER_FAILED error when the handler throws or rejects. */
  onError: (error: Error) => void;
}

/**
 * ProcessorListener relays notifications to one ResourceEventHandler (client-go
 * `processorListener`): add() appends to an unbounded buffer and never blocks the informer;
 * run() calls the handler for each notification in order, awaiting a returned promise before the
 * next. It also keeps the handler's resync schedule and its sync state (client-go's
 * `SingleFileTracker`: synced once the informer is and no initial-list add is still pending).
 *
 * whenHandled() resolves once every notification added so far has been handled — the barrier a
 * SharedInformer uses to acknowledge a cycle.
 */
export class ProcessorListener<T> implements ResourceEventHandlerRegistration {
  readonly handler: ResourceEventHandler<T>;
  /** requestedResyncPeriodMs is the period asked for at registration (after the 1 s floor). */
  readonly requestedResyncPeriodMs: number;
  #resyncPeriodMs: number;
  #nextResync = 0;
  readonly #options: ProcessorListenerOptions;
  readonly #buffer = new ArrayQueue<Notification<T>>();
  readonly #cond = new Condition();
  #added = 0;
  #handled = 0;
  #initialPending = 0;
  #stopped = false;
  #barriers: Array<{ at: number; resolve: () => void }> = [];

  constructor(
    handler: ResourceEventHandler<T>,
    requestedResyncPeriodMs: number,
    resyncPeriodMs: number,
    now: number,
    options: ProcessorListenerOptions,
  ) {
    this.handler = handler;
    this.requestedResyncPeriodMs = requestedResyncPeriodMs;
    this.#resyncPeriodMs = resyncPeriodMs;
    this.#options = options;
    this.determineNextResync(now);
  }

  /** resyncPeriodMs is the period actually used (0 when the informer does not resync). */
  get resyncPeriodMs(): number {
    return this.#resyncPeriodMs;
  }

  /** pending is the number of notifications added and not yet handled. */
  get pending(): number {
    return this.#added - this.#handled;
  }

  hasSynced(): boolean {
    return this.#options.upstreamHasSynced() && this.#initialPending === 0;
  }

  /** add queues a notification; it is dropped once the listener is stopped. */
  add(notification: Notification<T>): void {
    if (this.#stopped) return;
    if (notification.kind === 'add' && notification.isInInitialList) this.#initialPending++;
    this.#buffer.push(notification);
    this.#added++;
    this.#cond.broadcast();
  }

  /** run delivers notifications until stop(); it never rejects. */
  async run(): Promise<void> {
    let sinceYield = 0;
    for (;;) {
      while (this.#buffer.length === 0) {
        if (this.#stopped) return;
        await this.#cond.wait();
      }
      if (this.#stopped) return;
      const notification = this.#buffer.shift()!;
      try {
        const result = this.#dispatch(notification);
        if (result !== undefined) await result;
      } catch (err) {
        const cause = coerceError(err);
        this.#options.onError(
          new InformerError(`event handler failed: ${cause.message}`, 'HANDLER_FAILED', { cause }),
        );
      }
      if (notification.kind === 'add' && notification.isInInitialList) this.#initialPending--;
      this.#handled++;
      this.#releaseBarriers();
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    }
  }

  /**
   * stop ends run() after the call in progress, drops undelivered notifications and releases
   * every whenHandled() waiter (a stopped or removed handler holds nobody back).
   */
  stop(): void {
    this.#stopped = true;
    this.#buffer.clear();
    this.#cond.broadcast();
    const barriers = this.#barriers;
    this.#barriers = [];
    for (const barrier of barriers) barrier.resolve();
  }

  /** whenHandled resolves once every notification added before the call has been handled. */
  whenHandled(): Promise<void> {
    if (this.#stopped || this.#handled >= this.#added) return Promise.resolve();
    const at = this.#added;
    return new Promise<void>((resolve) => this.#barriers.push({ at, resolve }));
  }

  /** shouldResync tells whether this listener's resync is due at `now` (never if period is 0). */
  shouldResync(now: number): boolean {
    return this.#resyncPeriodMs !== 0 && now >= this.#nextResync;
  }

  /** determineNextResync schedules the next resync one period after `now`. */
  determineNextResync(now: number): void {
    this.#nextResync = now + this.#resyncPeriodMs;
  }

  /** setResyncPeriod changes the period used from the next determineNextResync on. */
  setResyncPeriod(resyncPeriodMs: number): void {
    this.#resyncPeriodMs = resyncPeriodMs;
  }

  #dispatch(notification: Notification<T>): void | Promise<void> {
    switch (notification.kind) {
      case 'add':
        return this.handler.onAdd?.(notification.obj, notification.isInInitialList);
      case 'update':
        return this.handler.onUpdate?.(notification.oldObj, notification.newObj);
      case 'delete':
        return this.handler.onDelete?.(notification.obj);
    }
  }

  #releaseBarriers(): void {
    while (this.#barriers.length > 0 && this.#barriers[0]!.at <= this.#handled) {
      this.#barriers.shift()!.resolve();
    }
  }
}
