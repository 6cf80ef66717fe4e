import { ArrayQueue } from './array-queue.js';
import { Condition } from './condition.js';
import { type InformerMetrics, noopInformerMetrics } from './metrics.js';

/** QueueItem is what a work queue holds: keys (compared by value) or objects (by identity). */
export type QueueItem = string | number | object;

/** WorkQueueOptions configures a WorkQueue. */
export interface WorkQueueOptions {
  /** Label for metrics. @default 'workqueue' */
  name?: string;
  /** Receives the queue depth. @default noopInformerMetrics */
  metrics?: InformerMetrics;
}

/** GetBatchOptions configures WorkQueue.getBatch. */
export interface GetBatchOptions {
  /** Upper bound of the batch size. @default Infinity (every ready item) */
  max?: number;
  /** Makes the wait resolve with an empty batch when it aborts. */
  signal?: AbortSignal;
}

/**
 * WorkQueue is client-go's `workqueue.Typed`: a de-duplicating FIFO of items to process, with a
 * "dirty" set (items that need processing) and a "processing" set (items handed to a consumer
 * and not yet done()).
 *
 * - add(item) of an item already waiting does nothing (changes collapse into one sync).
 * - An item is never handed out twice at the same time: added while being processed, it is only
 *   marked dirty and queued again when done(item) is called.
 * - get() hands out one item; getBatch() every ready item at once (pvesphere writes them in one
 *   transaction); each must be given back with done(item).
 * - shutDown() makes add() a no-op and get() return undefined once the queue is empty;
 *   shutDownWithDrain() also waits until every item handed out has been done().
 */
export class WorkQueue<T extends QueueItem = string> {
  readonly name: string;
  readonly #metrics: InformerMetrics;
  readonly #queue = new ArrayQueue<T>();
  readonly #dirty = new Set<T>();
  readonly #processing = new Set<T>();
  readonly #cond = new Condition();
  readonly #drained = new Condition();
  #shuttingDown = false;
  #drain = false;

  constructor(options: WorkQueueOptions = {}) {
    this.name = options.name ?? 'workqueue';
    this.#metrics = options.metrics ?? noopInformerMetrics;
  }

  /** add marks item as needing processing (see the class comment). */
  add(item: T): void {
    if (this.#shuttingDown || this.#dirty.has(item)) return;
    this.#dirty.add(item);
    if (this.#processing.has(item)) return;
    this.#push(item);
  }

  /** len is the number of items waiting (informational: do not gate add/get on it). */
  len(): number {
    return this.#queue.length;
  }

  /** processingCount is the number of items handed out and not yet done. */
  get processingCount(): number {
    return this.#processing.size;
  }

  /**
   * get waits for an item and hands it out; undefined means the queue is shut down and empty (or
   * signal aborted): the consumer should stop. Call done(item) when finished with it.
   */
  async get(signal?: AbortSignal): Promise<T | undefined> {
    if (!(await this.#waitForItems(signal))) return undefined;
    return this.#take();
  }

  /**
   * getBatch waits for at least one item, then hands out every ready item (up to max) at once,
   * in queue order. An empty batch means shut down and empty, or signal aborted. Call done() for
   * each item.
   */
  async getBatch(options: GetBatchOptions = {}): Promise<T[]> {
    if (!(await this.#waitForItems(options.signal))) return [];
    const max = options.max ?? Number.POSITIVE_INFINITY;
    const batch: T[] = [];
    while (this.#queue.length > 0 && batch.length < max) batch.push(this.#take());
    return batch;
  }

  /** done marks item processed; if it was added meanwhile, it is queued again. */
  done(item: T): void {
    this.#processing.delete(item);
    if (this.#dirty.has(item)) {
      this.#push(item);
    } else if (this.#processing.size === 0) {
      this.#drained.broadcast();
    }
  }

  /** shutDown ignores further adds and tells consumers to stop once the queue is empty. */
  shutDown(): void {
    this.#drain = false;
    this.#shuttingDown = true;
    this.#cond.broadcast();
    this.#drained.broadcast();
  }

  /**
   * shutDownWithDrain is shutDown that also waits until every handed-out item is done() — which
   * consumers must then do, or it waits forever; a later shutDown() ends the wait.
   */
  async shutDownWithDrain(): Promise<void> {
    this.#drain = true;
    this.#shuttingDown = true;
    this.#cond.broadcast();
    while (this.#processing.size !== 0 && this.#drain) await this.#drained.wait();
  }

  /** shuttingDown tells whether a shutdown was requested. */
  shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  #push(item: T): void {
    this.#queue.push(item);
    this.#metrics.setQueueDepth(this.name, this.#queue.length);
    this.#cond.broadcast();
  }

  #take(): T {
    const item = this.#queue.shift()!;
    this.#processing.add(item);
    this.#dirty.delete(item);
    this.#metrics.setQueueDepth(this.name, this.#queue.length);
    return item;
  }

  /** #waitForItems resolves true when an item is ready, false when shut down and empty or aborted. */
  async #waitForItems(signal: AbortSignal | undefined): Promise<boolean> {
    while (this.#queue.length === 0 && !this.#shuttingDown) {
      if (signal?.aborted) return false;
      await this.#cond.wait(signal);
    }
    return this.#queue.length > 0;
  }
}
