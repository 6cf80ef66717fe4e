import type pg from 'pg';
import { poolQuery } from '../db/pool-query.js';
import { type EventFilter, eventFilterSql } from './event-filter.js';
import type { InventoryEvent } from './inventory-change.js';

/**
 * EventPage is one read of the event log: the events after a sequence, in order, plus the log's
 * bounds seen by the same statement (one snapshot), so a resume can tell whether events it needs
 * were pruned in between.
 */
export interface EventPage {
  events: InventoryEvent[];
  /** The smallest sequence still in the log; null when the log is empty. */
  oldest: string | null;
  /**
   * The last sequence the log ever assigned ("0" before the first event). It may belong to a
   * transaction still running or rolled back; every committed event is at or below it.
   */
  assigned: string;
}

/** EventPageReader reads the event log in pages (what a resuming subscription needs). */
export interface EventPageReader {
  /** readPage returns up to `limit` events after `after` that match `filter`, in sequence order. */
  readPage(after: string, limit: number, filter?: EventFilter): Promise<EventPage>;
}

const COLUMNS = `sequence::text as sequence, at, cluster_id, kind, type, object_key, node_name,
  previous_node_name, vmid, payload, previous, changed_fields`;

interface EventRow {
  sequence: string;
  at: Date;
  cluster_id: number;
  kind: InventoryEvent['kind'];
  type: InventoryEvent['type'];
  object_key: string;
  node_name: string | null;
  previous_node_name: string | null;
  vmid: number | null;
  payload: InventoryEvent['payload'];
  previous: InventoryEvent['previous'];
  changed_fields: string[];
}

/** eventFromRow maps an `inventory_event` row to the event that was published for it. */
function eventFromRow(row: EventRow): InventoryEvent {
  return {
    sequence: row.sequence,
    at: row.at.toISOString(),
    clusterId: row.cluster_id,
    kind: row.kind,
    type: row.type,
    objectKey: row.object_key,
    node: row.node_name,
    previousNode: row.previous_node_name,
    vmid: row.vmid,
    payload: row.payload,
    previous: row.previous,
    changedFields: row.changed_fields,
  };
}

/**
 * EventLogReader reads `inventory_event` by sequence with plain SQL on the pool (index range
 * scans on the primary key). Sequences become visible in order (`EVENT_SEQUENCE_LOCK`), so
 * "everything after N" read now never misses an event that commits later with a smaller sequence.
 */
export class EventLogReader implements EventPageReader {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async readPage(after: string, limit: number, filter?: EventFilter): Promise<EventPage> {
    const params: unknown[] = [after, limit];
    const conditions = ['sequence > $1::bigint', ...(filter ? eventFilterSql(filter, params) : [])];
    const { rows } = await poolQuery<EventRow & { oldest: string | null; assigned: string }>(
      this.#pool,
      `with bounds as (
         select (select min(sequence) from inventory_event)::text as oldest,
                coalesce(pg_sequence_last_value(pg_get_serial_sequence('inventory_event', 'sequence')::regclass), 0)::text as assigned
       )
       select b.oldest, b.assigned, e.*
         from bounds b
         left join lateral (
           select ${COLUMNS} from inventory_event
            where ${conditions.join(' and ')}
            order by inventory_event.sequence
            limit $2
         ) e on true`,
      params,
    );
    const first = rows[0]!;
    return {
      events: rows.filter((row) => row.sequence !== null).map(eventFromRow),
      oldest: first.oldest,
      assigned: first.assigned,
    };
  }

  /** readAfter returns up to `limit` events (every kind) after `after`, in sequence order. */
  async readAfter(after: string, limit: number): Promise<InventoryEvent[]> {
    const { rows } = await poolQuery<EventRow>(
      this.#pool,
      `select ${COLUMNS} from inventory_event where sequence > $1::bigint order by inventory_event.sequence limit $2`,
      [after, limit],
    );
    return rows.map(eventFromRow);
  }

  /** head is the highest sequence in the log, "0" when it is empty. */
  async head(): Promise<string> {
    const { rows } = await this.#pool.query<{ head: string }>(
      'select coalesce(max(sequence), 0)::text as head from inventory_event',
    );
    return rows[0]!.head;
  }
}
