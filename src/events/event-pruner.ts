import type pg from 'pg';
import { type Clock, type ClockTimer, realClock } from '../lib/clock.js';
import { coerceError } from '../lib/coerce-error.js';
import type { Logger } from '../lib/logger.js';

/** EventPrunerOptions configure an {@link EventPruner}. */
export interface EventPrunerOptions {
  pool: pg.Pool;
  /** Events older than this are deleted (`PVESPHERE_EVENT_RETENTION`), in ms. */
  retentionMs: number;
  logger: Logger;
  /** How often to prune, in ms. @default a tenth of the retention, between 1 s and 10 min */
  intervalMs?: number;
  /** Rows deleted per statement: one short transaction each, never one giant delete. @default 5000 */
  batchSize?: number;
  /** @default realClock */
  clock?: Clock;
}

/** PruneResult is what one {@link EventPruner.pruneOnce} did. */
export interface PruneResult {
  deleted: number;
  /** Every event up to this sequence is gone (null: nothing was old enough). */
  through: string | null;
  batches: number;
}

/**
 * EventPruner deletes old `inventory_event` rows: on a timer, every event before the first one
 * younger than the retention, in batches of `batchSize` rows (each its own short statement, so
 * writers and replays are never blocked for long). The log therefore always loses a prefix by
 * sequence — `min(sequence)` is the resume horizon (`EVENTS_EXPIRED`) — and the newest event is
 * always kept, even when it is old, so the log remembers the last sequence it handed out. The age
 * is measured with the database clock (`now()`), as `at` is written.
 */
export class EventPruner {
  readonly #options: Required<EventPrunerOptions>;
  readonly #log: Logger;
  #timer: ClockTimer | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = false;

  constructor(options: EventPrunerOptions) {
    this.#options = {
      ...options,
      intervalMs:
        options.intervalMs ?? Math.min(Math.max(options.retentionMs / 10, 1_000), 600_000),
      batchSize: options.batchSize ?? 5_000,
      clock: options.clock ?? realClock,
    };
    this.#log = options.logger.child({ component: 'event-pruner' });
  }

  /** start prunes now and then every `intervalMs`; failures are logged and retried next time. */
  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** stop cancels the timer and waits for a prune in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    await this.#running;
  }

  /** pruneOnce deletes every event older than the retention (but the newest), batch by batch. */
  async pruneOnce(): Promise<PruneResult> {
    const started = this.#options.clock.now();
    // The last sequence to delete: everything before the first event within the retention,
    // never the newest one; no row when nothing is that old.
    const { rows } = await this.#options.pool.query<{ through: string }>(
      `with bound as (
         select least(
           (select sequence - 1 from inventory_event
             where at >= now() - $1::bigint * interval '1 millisecond'
             order by sequence limit 1),
           (select max(sequence) - 1 from inventory_event)
         ) as through
       )
       select through::text as through from bound
        where through >= (select min(sequence) from inventory_event)`,
      [Math.round(this.#options.retentionMs)],
    );
    const through = rows[0]?.through ?? null;
    let deleted = 0;
    let batches = 0;
    if (through !== null) {
      for (;;) {
        const result = await this.#options.pool.query(
          `delete from inventory_event where sequence in (
             select sequence from inventory_event where sequence <= $1::bigint
              order by sequence limit $2)`,
          [through, this.#options.batchSize],
        );
        batches++;
        deleted += result.rowCount ?? 0;
        if ((result.rowCount ?? 0) < this.#options.batchSize || this.#stopped) break;
      }
    }
    const ms = Math.round(this.#options.clock.now() - started);
    if (deleted > 0) {
      this.#log.info(
        { deleted, through, batches, ms, retentionMs: this.#options.retentionMs },
        'pruned inventory events older than the retention',
      );
    } else {
      this.#log.debug({ ms }, 'no inventory event older than the retention');
    }
    return { deleted, through: deleted > 0 ? through : null, batches };
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = this.#options.clock.setTimer(delayMs, () => {
      const run = this.pruneOnce().catch((err) =>
        this.#log.warn({ err: coerceError(err) }, 'pruning inventory events failed'),
      );
      this.#running = run;
      void run.finally(() => {
        if (this.#running === run) this.#running = undefined;
        this.#schedule(this.#options.intervalMs);
      });
    });
  }
}
