import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Backoff, type BackoffOptions } from '../lib/backoff.js';
import { type Clock, type ClockTimer, realClock } from '../lib/clock.js';
import { coerceError } from '../lib/coerce-error.js';
import type { Logger } from '../lib/logger.js';
import type { EventBus } from './event-bus.js';
import { EVENT_NOTIFY_CHANNEL } from './event-log.js';
import { EventLogReader } from './event-log-reader.js';
import { compareSequences } from './event-sequence.js';
import type { InventoryEvent } from './inventory-change.js';
import { type InventoryEventListener, ListenerSet } from './listener-set.js';

/**
 * PostgresBusMode is how a {@link PostgresEventBus} learns of new events: `listen` (LISTEN/NOTIFY
 * on a dedicated session), `poll` (reads the log by sequence every `pollIntervalMs`; what works
 * behind a transaction pooler such as PgBouncer in transaction mode, where LISTEN silently hears
 * nothing) or `auto` (LISTEN, then check with a probe NOTIFY that notifications really arrive,
 * else poll).
 */
export type PostgresBusMode = 'listen' | 'poll' | 'auto';

/** PostgresEventBusOptions configure a {@link PostgresEventBus}. */
export interface PostgresEventBusOptions {
  /** The database; the bus opens one dedicated session on it for LISTEN. */
  connectionString: string;
  /** Pool the event log is read from (and the probe NOTIFY sent on). */
  pool: pg.Pool;
  logger: Logger;
  /** @default 'auto' */
  mode?: PostgresBusMode;
  /** How often the log is read in `poll` mode, in ms. @default 500 */
  pollIntervalMs?: number;
  /**
   * How often the log is read anyway in `listen` mode, in ms: a safety net for a session that
   * died without telling (a half-open TCP connection delivers no notification and no error).
   * @default 15000
   */
  safetyIntervalMs?: number;
  /** How long `auto` waits for its probe notification, in ms. @default 2000 */
  probeTimeoutMs?: number;
  /** Events read per query. @default 1000 */
  pageSize?: number;
  /** Delays between reconnect attempts of the LISTEN session and between failed reads. @default { initialMs: 250, maxMs: 15000 } */
  backoff?: BackoffOptions;
  /** @default realClock */
  clock?: Clock;
  /** Creates the LISTEN session (tests wrap it). @default a keep-alive `pg.Client` */
  createClient?: (connectionString: string) => pg.Client;
  /** Receives what a listener threw. @default ignore */
  onListenerError?: (error: unknown) => void;
  /** Sees every batch before the listeners, without counting as one (see ListenerSet). */
  onDelivered?: (events: readonly InventoryEvent[]) => void;
}

interface Listening {
  client: pg.Client;
  /** Resolves when the session ended or failed. */
  closed: Promise<void>;
}

function defaultClient(connectionString: string): pg.Client {
  return new pg.Client({
    connectionString,
    keepAlive: true,
    application_name: 'pvesphere-listener',
  });
}

/**
 * PostgresEventBus fans inventory events out across server processes sharing one database
 * (`PVESPHERE_BUS=postgres`, DESIGN §7). The log in `inventory_event` is the only carrier of
 * events: the writing transaction NOTIFYs {@link EVENT_NOTIFY_CHANNEL} with just its highest
 * sequence (delivered at commit), and on a notification — or when this process published, or on
 * a timer — the bus reads the log after the last sequence it delivered and hands the events to
 * its listeners. Every process therefore delivers every committed event once, in sequence order
 * (sequences become visible in order, `EVENT_SEQUENCE_LOCK`), whichever process wrote it.
 *
 * Notifications are lost while the LISTEN session is down; nothing else is: the session is
 * reopened with backoff and the log read from the last delivered sequence. Reads are
 * single-flight (a wake-up during a read makes one more read). The bus starts at the head of the
 * log: subscribers that need older events replay them from the log themselves.
 */
export class PostgresEventBus implements EventBus {
  readonly #options: Required<
    Omit<PostgresEventBusOptions, 'backoff' | 'onListenerError' | 'onDelivered'>
  >;
  readonly #listeners: ListenerSet;
  readonly #reader: EventLogReader;
  readonly #log: Logger;
  readonly #reconnectBackoff: Backoff;
  readonly #readBackoff: Backoff;
  readonly #abort = new AbortController();
  readonly #probes = new Map<string, (heard: boolean) => void>();
  #mode: 'listen' | 'poll' | undefined;
  #last = '0';
  #listening: Listening | undefined;
  #supervisor: Promise<void> | undefined;
  #draining: Promise<void> | undefined;
  #again = false;
  #tick: ClockTimer | undefined;
  #retry: ClockTimer | undefined;

  constructor(options: PostgresEventBusOptions) {
    const clock = options.clock ?? realClock;
    this.#options = {
      connectionString: options.connectionString,
      pool: options.pool,
      logger: options.logger,
      mode: options.mode ?? 'auto',
      pollIntervalMs: options.pollIntervalMs ?? 500,
      safetyIntervalMs: options.safetyIntervalMs ?? 15_000,
      probeTimeoutMs: options.probeTimeoutMs ?? 2_000,
      pageSize: options.pageSize ?? 1_000,
      clock,
      createClient: options.createClient ?? defaultClient,
    };
    const backoff = { initialMs: 250, maxMs: 15_000, ...options.backoff, clock };
    this.#reconnectBackoff = new Backoff(backoff);
    this.#readBackoff = new Backoff(backoff);
    this.#listeners = new ListenerSet(options.onListenerError, options.onDelivered);
    this.#reader = new EventLogReader(options.pool);
    this.#log = options.logger.child({ component: 'event-bus' });
  }

  /** mode is how the bus learns of new events once started (`listen` or `poll`). */
  get mode(): 'listen' | 'poll' | undefined {
    return this.#mode;
  }

  /** lastSequence is the last sequence delivered to the listeners ("0" before any). */
  get lastSequence(): string {
    return this.#last;
  }

  /**
   * start opens the LISTEN session (in `auto` mode, falls back to polling when the probe is not
   * heard or LISTEN fails; in `listen` mode such a failure rejects), then takes the head of the
   * log as its starting point.
   */
  async start(): Promise<void> {
    const requested = this.#options.mode;
    if (requested !== 'poll') {
      try {
        this.#listening = await this.#openSession(requested === 'auto');
      } catch (err) {
        const error = coerceError(err);
        if (requested === 'listen') {
          throw new Error(`cannot LISTEN for inventory events: ${error.message}`, { cause: error });
        }
        this.#log.warn({ err: error }, 'LISTEN failed: the event bus polls the event log instead');
      }
      if (requested === 'auto' && this.#listening === undefined) {
        this.#log.warn(
          { pollIntervalMs: this.#options.pollIntervalMs },
          'notifications do not reach this database session (a transaction pooler?): the event bus polls the event log instead',
        );
      }
    }
    this.#mode = this.#listening ? 'listen' : 'poll';
    this.#last = await this.#reader.head();
    if (this.#listening) this.#supervisor = this.#supervise(this.#listening);
    this.#scheduleTick();
    this.#log.info(
      { mode: this.#mode, channel: EVENT_NOTIFY_CHANNEL, after: this.#last },
      'postgres event bus started',
    );
  }

  /** publish wakes the reader: the events are read back from the log, in order with the others. */
  publish(_events: readonly InventoryEvent[]): void {
    this.#kick();
  }

  subscribe(listener: InventoryEventListener): () => void {
    return this.#listeners.add(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  async close(): Promise<void> {
    if (this.#abort.signal.aborted) return;
    this.#abort.abort();
    this.#tick?.cancel();
    this.#retry?.cancel();
    for (const settle of this.#probes.values()) settle(false);
    await this.#listening?.client.end().catch(() => {});
    await this.#supervisor;
    await this.#draining;
    this.#listeners.clear();
  }

  /** #openSession connects, LISTENs and (when asked) checks that a probe notification arrives. */
  async #openSession(probe: boolean): Promise<Listening | undefined> {
    const client = this.#options.createClient(this.#options.connectionString);
    const closed = new Promise<void>((resolve) => {
      client.once('end', () => resolve());
      client.on('error', (err) => {
        this.#log.warn({ err: coerceError(err) }, 'the LISTEN session failed');
        resolve();
      });
    });
    client.on('notification', (message) => this.#onNotification(message.payload));
    try {
      await client.connect();
      await client.query(`listen ${EVENT_NOTIFY_CHANNEL}`);
      if (probe && !(await this.#probe())) {
        await client.end();
        return undefined;
      }
      return { client, closed };
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
  }

  /** #probe sends a NOTIFY from another session and tells whether the LISTEN session heard it. */
  async #probe(): Promise<boolean> {
    const token = `probe:${randomUUID()}`;
    const heard = new Promise<boolean>((resolve) => {
      const timer = this.#options.clock.setTimer(this.#options.probeTimeoutMs, () => settle(false));
      const settle = (result: boolean) => {
        timer.cancel();
        this.#probes.delete(token);
        resolve(result);
      };
      this.#probes.set(token, settle);
    });
    await this.#options.pool.query('select pg_notify($1, $2)', [EVENT_NOTIFY_CHANNEL, token]);
    return heard;
  }

  #onNotification(payload: string | undefined): void {
    if (payload?.startsWith('probe:')) {
      this.#probes.get(payload)?.(true);
      return;
    }
    // A sequence this process delivered already (its own write, read when it published).
    if (payload && /^\d+$/.test(payload) && compareSequences(payload, this.#last) <= 0) return;
    this.#kick();
  }

  /** #supervise reopens the LISTEN session whenever it ends, then catches up from the log. */
  async #supervise(first: Listening): Promise<void> {
    const signal = this.#abort.signal;
    let current: Listening | undefined = first;
    while (!signal.aborted) {
      if (current) {
        await current.closed;
        await current.client.end().catch(() => {});
        this.#listening = undefined;
        if (signal.aborted) return;
        this.#log.warn(
          'lost the LISTEN session: reconnecting; missed events are read from the log',
        );
        current = undefined;
      }
      await this.#options.clock.sleep(this.#reconnectBackoff.next(), signal);
      if (signal.aborted) return;
      try {
        current = await this.#openSession(false);
      } catch (err) {
        this.#log.warn({ err: coerceError(err) }, 'reopening the LISTEN session failed; retrying');
        continue;
      }
      if (signal.aborted) {
        await current?.client.end().catch(() => {});
        return;
      }
      this.#listening = current;
      this.#log.info({ after: this.#last }, 'LISTEN session reopened: catching up from the log');
      this.#kick();
    }
  }

  #scheduleTick(): void {
    if (this.#abort.signal.aborted) return;
    const interval =
      this.#mode === 'poll' ? this.#options.pollIntervalMs : this.#options.safetyIntervalMs;
    this.#tick = this.#options.clock.setTimer(interval, () => {
      this.#kick();
      this.#scheduleTick();
    });
  }

  /** #kick makes sure a read of the log starts (now, or once the running one ended). */
  #kick(): void {
    if (this.#mode === undefined || this.#abort.signal.aborted) return;
    if (this.#draining) {
      this.#again = true;
      return;
    }
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      if (this.#again) {
        this.#again = false;
        this.#kick();
      }
    });
  }

  /** #drain reads the log after the last delivered sequence until its end and delivers it. */
  async #drain(): Promise<void> {
    try {
      for (;;) {
        const events = await this.#reader.readAfter(this.#last, this.#options.pageSize);
        if (this.#abort.signal.aborted || events.length === 0) return;
        this.#last = events.at(-1)!.sequence;
        this.#listeners.emit(events);
        if (events.length < this.#options.pageSize) return;
      }
    } catch (err) {
      if (this.#abort.signal.aborted) return;
      const delayMs = this.#readBackoff.next();
      this.#log.warn({ err: coerceError(err), delayMs }, 'reading the event log failed; retrying');
      this.#retry?.cancel();
      this.#retry = this.#options.clock.setTimer(delayMs, () => {
        this.#retry = undefined;
        this.#kick();
      });
    }
  }
}
