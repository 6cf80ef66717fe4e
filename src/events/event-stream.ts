import { coerceError } from '../lib/coerce-error.js';
import { ExpectedError } from '../lib/expected-error.js';
import type { Logger } from '../lib/logger.js';
import { EventsExpiredError, EventsUnavailableError, SubscriberTooSlowError } from './errors.js';
import type { EventBus } from './event-bus.js';
import { type EventFilter, matchesEvent } from './event-filter.js';
import type { EventPage, EventPageReader } from './event-log-reader.js';
import { compareSequences, previousSequence } from './event-sequence.js';
import type { InventoryEvent, InventoryKind } from './inventory-change.js';

/**
 * EventStreamItem is what an {@link EventStream} yields: an event, or — as its very last item —
 * the expected error that ended it (too slow, expired, log unavailable), which the GraphQL
 * resolver throws so the client gets it as a result with `extensions.code` before `complete`.
 */
export type EventStreamItem<K extends InventoryKind = InventoryKind> =
  | InventoryEvent<K>
  | ExpectedError;

/** EventStreamOptions configure one {@link EventStream}. */
export interface EventStreamOptions<K extends InventoryKind> {
  bus: EventBus;
  reader: EventPageReader;
  filter: EventFilter<K>;
  /** Resume after this (normalised) sequence: replay the log first. Undefined: live only. */
  after: string | undefined;
  /** Events that may wait for the client before the stream ends as too slow. */
  bufferLimit: number;
  /** Events read from the log per query while catching up. */
  pageSize: number;
  logger: Logger;
  /** Called once when the stream ends (for whoever counts open streams). */
  onEnd?: () => void;
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * assertResumable throws {@link EventsExpiredError} unless the log read in `page` still holds
 * every committed event after `after`: `after` must not be beyond the last sequence ever
 * assigned (a sequence from another database), and not below `oldest - 1` (events after it were
 * pruned). An empty log resumes anything up to the last assigned sequence: pruning always keeps
 * the newest event, so the log is only empty when no event was ever committed. Sequences of
 * rolled-back transactions leave gaps; a gap right below `oldest` reads as pruned (the safe side).
 */
export function assertResumable(after: string, page: EventPage): void {
  if (compareSequences(after, page.assigned) > 0) {
    throw new EventsExpiredError(
      after,
      `the event log never assigned that sequence (its last is ${page.assigned})`,
    );
  }
  if (page.oldest !== null && compareSequences(after, previousSequence(page.oldest)) < 0) {
    throw new EventsExpiredError(
      after,
      `the events after it were pruned (the oldest event kept is ${page.oldest}, PVESPHERE_EVENT_RETENTION)`,
    );
  }
}

/**
 * EventStream is one subscriber's stream of events: an async iterator over the events matching
 * its filter, in sequence order, each once.
 *
 * Without `after` it is live from open(). With `after` it catches up first: it registers on the
 * bus (holding the live events that arrive meanwhile), then reads the log after `after` page by
 * page as the client consumes, and turns live once a read reached the end of the log while every
 * live event since that read began is still held; held events not newer than the last one read
 * are dropped as duplicates. If more than `bufferLimit` live events pile up while catching up,
 * they are dropped and the log is read again (it has them), so a long replay under churn never
 * fails nor grows memory.
 *
 * Live, each matching event is appended to a queue of at most `bufferLimit` events that the
 * consumer drains; delivery never waits for the consumer. When the queue is full, the stream
 * leaves the bus, drops the queue and ends with {@link SubscriberTooSlowError}, whose
 * `resumeAfter` is the last event handed out. return() (client gone) releases everything at
 * once, also while a next() is pending. next() must not be called again before it settled.
 */
export class EventStream<K extends InventoryKind = InventoryKind>
  implements AsyncIterableIterator<EventStreamItem<K>>
{
  readonly #options: EventStreamOptions<K>;
  /** Events ready to hand out, in order. */
  #queue: InventoryEvent<K>[] = [];
  /** Live events received while catching up. */
  #held: InventoryEvent<K>[] = [];
  /** How many times #held overflowed and was dropped. */
  #drops = 0;
  #catchingUp: boolean;
  /** Set when a read reached the end of the log: the #drops count when that read began. */
  #caughtUpAt: number | undefined;
  /**
   * The last sequence read from the log (or `after`): where the next read starts, and the bound
   * below which a live event is a duplicate of one read. Live events above it are new (the bus
   * delivers each once), so they are never dropped for coming out of order.
   */
  #readThrough: string | undefined;
  /** Last sequence handed out to the consumer. */
  #handed: string | undefined;
  #ending: ExpectedError | undefined;
  #ended = false;
  #waiter: ((result: IteratorResult<EventStreamItem<K>, undefined>) => void) | undefined;
  #leaveBus: (() => void) | undefined;

  constructor(options: EventStreamOptions<K>) {
    this.#options = options;
    this.#catchingUp = options.after !== undefined;
    this.#readThrough = options.after;
    this.#handed = options.after;
  }

  /**
   * open joins the bus and, when resuming, reads the first page of the log: an `after` the log
   * cannot continue from rejects here with {@link EventsExpiredError}, before any event.
   */
  async open(): Promise<void> {
    this.#leaveBus = this.#options.bus.subscribe((events) => this.#receive(events));
    if (!this.#catchingUp) return;
    try {
      await this.#catchUp();
    } catch (err) {
      this.#end();
      throw err;
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<EventStreamItem<K>, undefined>> {
    for (;;) {
      if (this.#ended) return DONE;
      const event = this.#queue.shift();
      if (event !== undefined) {
        this.#handed = event.sequence;
        return { value: event, done: false };
      }
      const ending = this.#ending;
      if (ending !== undefined) {
        this.#end();
        return { value: ending, done: false };
      }
      if (!this.#catchingUp) {
        return new Promise((resolve) => {
          this.#waiter = resolve;
        });
      }
      try {
        await this.#catchUp();
      } catch (err) {
        this.#fail(err);
      }
    }
  }

  async return(): Promise<IteratorResult<EventStreamItem<K>, undefined>> {
    this.#end();
    return DONE;
  }

  async throw(): Promise<IteratorResult<EventStreamItem<K>, undefined>> {
    this.#end();
    return DONE;
  }

  /** #receive is the bus listener: it runs inside the publisher's delivery and never waits. */
  #receive(events: readonly InventoryEvent[]): void {
    if (this.#ended || this.#ending !== undefined) return;
    for (const event of events as readonly InventoryEvent<K>[]) {
      if (!matchesEvent(this.#options.filter, event)) continue;
      if (this.#catchingUp) {
        if (this.#held.length >= this.#options.bufferLimit) {
          // The log has them: drop, and read it again before turning live.
          this.#held = [];
          this.#drops++;
        }
        this.#held.push(event);
        continue;
      }
      const read = this.#readThrough;
      if (read !== undefined && compareSequences(event.sequence, read) <= 0) continue;
      const waiter = this.#waiter;
      if (waiter !== undefined) {
        this.#waiter = undefined;
        this.#handed = event.sequence;
        waiter({ value: event, done: false });
      } else if (this.#queue.length >= this.#options.bufferLimit) {
        this.#tooSlow();
        return;
      } else {
        this.#queue.push(event);
      }
    }
  }

  /** #catchUp reads the next page of the log, or turns live once the log was read to its end. */
  async #catchUp(): Promise<void> {
    if (this.#caughtUpAt !== undefined && this.#caughtUpAt === this.#drops) {
      this.#goLive();
      return;
    }
    this.#caughtUpAt = undefined;
    const drops = this.#drops;
    const after = this.#readThrough!;
    const page = await this.#options.reader.readPage(
      after,
      this.#options.pageSize,
      this.#options.filter,
    );
    if (this.#ended) return;
    assertResumable(after, page);
    for (const event of page.events as InventoryEvent<K>[]) {
      this.#queue.push(event);
      this.#readThrough = event.sequence;
    }
    if (page.events.length < this.#options.pageSize) this.#caughtUpAt = drops;
  }

  /** #goLive hands over from the log to the bus: held events newer than the last read go first. */
  #goLive(): void {
    this.#catchingUp = false;
    this.#caughtUpAt = undefined;
    const held = this.#held;
    this.#held = [];
    for (const event of held) {
      if (compareSequences(event.sequence, this.#readThrough!) <= 0) continue;
      this.#queue.push(event);
    }
  }

  #tooSlow(): void {
    const resumeAfter =
      this.#handed ?? (this.#queue[0] ? previousSequence(this.#queue[0].sequence) : undefined);
    this.#finishWith(new SubscriberTooSlowError(this.#options.bufferLimit, resumeAfter));
  }

  #fail(err: unknown): void {
    const error = coerceError(err);
    if (error instanceof ExpectedError) {
      this.#finishWith(error);
      return;
    }
    this.#options.logger.error({ err: error }, 'a subscription could not read the event log');
    this.#finishWith(new EventsUnavailableError(this.#handed, { cause: error }));
  }

  /** #finishWith leaves the bus, drops what waits, and makes `error` the last item. */
  #finishWith(error: ExpectedError): void {
    this.#leave();
    this.#queue = [];
    this.#held = [];
    this.#ending = error;
  }

  #leave(): void {
    const leave = this.#leaveBus;
    this.#leaveBus = undefined;
    leave?.();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#leave();
    this.#queue = [];
    this.#held = [];
    this.#ending = undefined;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(DONE);
    this.#options.onEnd?.();
  }
}
