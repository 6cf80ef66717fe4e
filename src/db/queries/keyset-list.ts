import { groupRows } from './group-rows.js';
import { SqlParams } from './sql-params.js';
import type { SqlRow, SqlRunner } from './sql-runner.js';

/** KeyColumn is one column of a sort key or a group, with the SQL type its values bind as. */
export interface KeyColumn {
  column: string;
  type: 'int' | 'text';
}

/** KeyValue is the value of one {@link KeyColumn}. */
export type KeyValue = number | string;

/** SortKey is the values of a list's key columns for one row: a position in the list. */
export type SortKey = readonly KeyValue[];

/**
 * ListSpec describes one keyset-paginated table: which columns make a record, the unique sort
 * key (which a unique index must serve: it is both the order and the cursor) and the mapping.
 */
export interface ListSpec<R> {
  /** Table name; queries alias it `t`. */
  table: string;
  /** Columns a record is made from (they must include the key and any group columns). */
  columns: readonly string[];
  /** The sort key, unique per row. */
  key: readonly KeyColumn[];
  fromRow(row: SqlRow): R;
  /** keyOf is a record's sort key, in `key` order (what a cursor encodes). */
  keyOf(record: R): SortKey;
}

/** PageRequest is `first` rows after the position `after` (from the start when absent). */
export interface PageRequest {
  first: number;
  after?: SortKey | undefined;
}

/** Page is one page of a list, in key order. */
export interface Page<R> {
  records: R[];
  /** Rows follow the page. */
  hasNextPage: boolean;
  /** Rows precede the page (`after` was given and a matching row at or before it exists). */
  hasPreviousPage: boolean;
}

/** Conditions turns a filter into SQL conditions on alias `t`, binding its values in `params`. */
export type Conditions<F> = (filter: F, params: SqlParams) => string[];

/**
 * KeysetList runs the list queries of one table: a page (`first` rows after a sort key, plus one
 * more to know whether a next page exists, plus the row just before `after` to know whether a
 * previous page exists), a total count, and the same two per group of parents in ONE statement
 * each (a LATERAL subquery per group, so each group walks the index and stops after `first + 1`
 * rows). Positions are keys, not offsets: a page boundary survives inserts and deletes before it.
 */
export class KeysetList<R, F> {
  readonly #runner: SqlRunner;
  readonly #conditions: Conditions<F>;
  readonly spec: ListSpec<R>;

  constructor(runner: SqlRunner, spec: ListSpec<R>, conditions: Conditions<F>) {
    this.#runner = runner;
    this.spec = spec;
    this.#conditions = conditions;
  }

  /** page returns one page of the rows matching `filter`. */
  async page(filter: F, request: PageRequest): Promise<Page<R>> {
    const params = new SqlParams();
    const where = this.#where(filter, params, []);
    const sql = this.#pageSql(where, request, params);
    const rows = await this.#runner.query(
      request.after
        ? `select * from (${sql}) p order by p._before desc, ${this.#keyList('p')}`
        : sql,
      params.values,
    );
    return this.#toPage(rows, request.first);
  }

  /** count returns how many rows match `filter`. */
  async count(filter: F): Promise<number> {
    const params = new SqlParams();
    const where = this.#where(filter, params, []);
    const [row] = await this.#runner.query<{ n: number }>(
      `select count(*)::int as n from ${this.spec.table} t where ${where}`,
      params.values,
    );
    return row?.n ?? 0;
  }

  /**
   * pagesByGroup returns, for each group (values of the `group` columns, such as
   * `[clusterId]` or `[clusterId, nodeName]`), the page of its matching rows: one statement for
   * every group. The result is aligned with `groups`.
   */
  async pagesByGroup(
    group: readonly KeyColumn[],
    groups: readonly SortKey[],
    filter: F,
    request: PageRequest,
  ): Promise<Page<R>[]> {
    if (groups.length === 0) return [];
    const params = new SqlParams();
    const source = this.#groupSource(group, groups, params);
    const where = this.#where(filter, params, group);
    const groupOrder = group.map((g) => `p.${g.column}`).join(', ');
    const rows = await this.#runner.query(
      `select p.* from ${source} cross join lateral (${this.#pageSql(where, request, params)}) p ` +
        `order by ${groupOrder}, p._before desc, ${this.#keyList('p')}`,
      params.values,
    );
    const byGroup = groupRows(rows, (row) => groupId(group.map((g) => row[g.column] as KeyValue)));
    return groups.map((values) => this.#toPage(byGroup.get(groupId(values)) ?? [], request.first));
  }

  /** countsByGroup returns how many rows match `filter` in each group, aligned with `groups`. */
  async countsByGroup(
    group: readonly KeyColumn[],
    groups: readonly SortKey[],
    filter: F,
  ): Promise<number[]> {
    if (groups.length === 0) return [];
    const params = new SqlParams();
    const source = this.#groupSource(group, groups, params);
    const where = this.#where(filter, params, group);
    const rows = await this.#runner.query<{ n: number }>(
      `select (select count(*) from ${this.spec.table} t where ${where})::int as n ` +
        `from ${source} order by g.ord`,
      params.values,
    );
    return rows.map((row) => row.n);
  }

  /** `unnest($1::int[], $2::text[]) with ordinality as g(cluster_id, node_name, ord)`. */
  #groupSource(group: readonly KeyColumn[], groups: readonly SortKey[], params: SqlParams) {
    const arrays = group.map((g, i) =>
      params.add(
        groups.map((values) => values[i]),
        `${g.type}[]`,
      ),
    );
    const names = group.map((g) => g.column).join(', ');
    return `unnest(${arrays.join(', ')}) with ordinality as g(${names}, ord)`;
  }

  #where(filter: F, params: SqlParams, group: readonly KeyColumn[]): string {
    const conditions = [
      ...group.map((g) => `t.${g.column} = g.${g.column}`),
      ...this.#conditions(filter, params),
    ];
    return conditions.length > 0 ? conditions.join(' and ') : 'true';
  }

  /**
   * The page subquery (output alias-free, to wrap): without `after`, the first `first + 1`
   * rows; with it, the last row at or before `after` (flagged `_before`) and the first
   * `first + 1` rows after it. Both branches are index range scans on the sort key.
   */
  #pageSql(where: string, request: PageRequest, params: SqlParams): string {
    const columns = this.spec.columns.map((c) => `t.${c}`).join(', ');
    const key = this.#keyList('t');
    const limit = Math.max(0, Math.trunc(request.first)) + 1;
    const from = `from ${this.spec.table} t where ${where}`;
    if (!request.after) {
      return `select ${columns}, false as _before ${from} order by ${key} limit ${limit}`;
    }
    const after = request.after;
    const cursor = `(${this.spec.key.map((k, i) => params.add(after[i], k.type)).join(', ')})`;
    const descending = this.spec.key.map((k) => `t.${k.column} desc`).join(', ');
    return (
      `(select ${columns}, true as _before ${from} and (${key}) <= ${cursor} ` +
      `order by ${descending} limit 1) union all ` +
      `(select ${columns}, false as _before ${from} and (${key}) > ${cursor} ` +
      `order by ${key} limit ${limit})`
    );
  }

  #keyList(alias: string): string {
    return this.spec.key.map((k) => `${alias}.${k.column}`).join(', ');
  }

  #toPage(rows: readonly SqlRow[], first: number): Page<R> {
    const hasPreviousPage = rows.some((row) => row._before === true);
    const after = rows.filter((row) => row._before !== true);
    return {
      records: after.slice(0, first).map((row) => this.spec.fromRow(row)),
      hasNextPage: after.length > first,
      hasPreviousPage,
    };
  }
}

function groupId(values: readonly KeyValue[]): string {
  return values.map(String).join('\u0000');
}
