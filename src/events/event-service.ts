import type { Logger } from '../lib/logger.js';
import type { EventBus } from './event-bus.js';
import type { EventFilter } from './event-filter.js';
import type { EventPageReader } from './event-log-reader.js';
import { parseSequence } from './event-sequence.js';
import { EventStream } from './event-stream.js';
import type { InventoryKind } from './inventory-change.js';

/** EventServiceOptions configure an {@link EventService}. */
export interface EventServiceOptions {
  bus: EventBus;
  reader: EventPageReader;
  logger: Logger;
  /** Events that may wait for one subscriber before it is ended as too slow (`PVESPHERE_SUBSCRIBER_BUFFER`). @default 1000 */
  subscriberBuffer?: number;
  /** Events read from the log per query when a subscriber resumes. @default 500 */
  pageSize?: number;
}

/** SubscribeRequest is what one subscription asks for. */
export interface SubscribeRequest<K extends InventoryKind> {
  filter: EventFilter<K>;
  /** The client's `after` argument: resume after this sequence (a decimal string). */
  after?: string | null | undefined;
}

/**
 * EventService opens the event streams of subscriptions (GraphQL `nodeChanged`, `vmChanged`,
 * `storageChanged`) over one bus and the event log, and keeps count of the open ones. Filters are
 * evaluated in memory on each event, whose object travels with it: a subscriber costs the
 * database nothing while live, and one paged read per `pageSize` events while it resumes.
 */
export class EventService {
  readonly #options: Required<EventServiceOptions>;
  readonly #streams = new Set<{ return(): Promise<unknown> }>();

  constructor(options: EventServiceOptions) {
    this.#options = {
      ...options,
      subscriberBuffer: options.subscriberBuffer ?? 1000,
      pageSize: options.pageSize ?? 500,
    };
  }

  /**
   * subscribe opens a stream. It rejects, before any event, with `BAD_USER_INPUT` for a malformed
   * `after` and with `EVENTS_EXPIRED` for an `after` the log cannot continue from.
   */
  async subscribe<K extends InventoryKind>(request: SubscribeRequest<K>): Promise<EventStream<K>> {
    const after =
      request.after === null || request.after === undefined
        ? undefined
        : parseSequence(request.after);
    const stream: EventStream<K> = new EventStream<K>({
      bus: this.#options.bus,
      reader: this.#options.reader,
      filter: request.filter,
      after,
      bufferLimit: this.#options.subscriberBuffer,
      pageSize: this.#options.pageSize,
      logger: this.#options.logger,
      onEnd: () => this.#streams.delete(stream),
    });
    this.#streams.add(stream);
    await stream.open();
    return stream;
  }

  /** openStreams is the number of streams not yet ended (leak checks, metrics). */
  get openStreams(): number {
    return this.#streams.size;
  }

  /** close ends every open stream (their consumers see the end of the stream). */
  close(): void {
    for (const stream of [...this.#streams]) void stream.return();
  }
}
