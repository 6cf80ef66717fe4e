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
 * ListSpec describes one keyset-paginated table: which columns a page reads, the unique sort key
 * (which a unique index must serve: it is both the order and the cursor) and how a record is
 * made. A page travels from PostgreSQL as ONE JSON value (an array of rows, each row a JSON array
 * of `values` then the details asked for): node-postgres decodes it with one `JSON.parse`
 * instead of converting every column of every row, and numbers, booleans and nulls arrive typed.
 */
export interface ListSpec<R> {
  /** Table name; queries alias it `t`. */
  table: string;
  /** Columns the page subquery reads (they must include the key and any group columns). */
  columns: readonly string[];
  /** The sort key, unique per row. */
  key: readonly KeyColumn[];
  /** SQL expressions over a page row `p` (its `columns`): the JSON array of one row, in order. */
  values: readonly string[];
  /**
   * Details a page can carry, by name: SQL expressions over a page row `p` (a guest's addresses
   * as JSON, say), computed only for the page's rows, appended to the row's values when asked for.
   */
  details?: Readonly<Record<string, string>>;
  /**
   * reader returns the function that makes a record from one row's JSON values: `values`, then
   * the details named in `details`, in that order.
   */
  reader(details: readonly string[]): (values: readonly unknown[]) => R;
  /** keyOf is a record's sort key, in `key` order (what a cursor encodes). */
  keyOf(record: R): SortKey;
}

/** PageRequest is `first` rows after the position `after` (from the start when absent). */
export interface PageRequest {
  first: number;
  after?: SortKey | undefined;
  /** Count the rows matching the filter in the same statement ({@link Page.total}). */
  count?: boolean | undefined;
  /** Names of {@link ListSpec.details} to compute for each row of the page. */
  details?: readonly string[] | undefined;
}

/** Page is one page of a list, in key order. */
export interface Page<R> {
  records: R[];
  /** Rows follow the page. */
  hasNextPage: boolean;
  /** Rows precede the page (`after` was given and a matching row at or before it exists). */
  hasPreviousPage: boolean;
  /** How many rows match the filter, when the request asked for the count. */
  total?: number | undefined;
}

/** Conditions turns a filter into SQL conditions on alias `t`, binding its values in `params`. */
export type Conditions<F> = (filter: F, params: SqlParams) => string[];

/** The one row a page statement returns per page (per group). */
interface PageRow extends SqlRow {
  /** Rows of the page (the first `first + 1` after the cursor), or null when none. */
  rows: unknown[][] | null;
  /** A matching row precedes the cursor (null when the page is empty). */
  has_previous: boolean | null;
  /** The count, when asked for. */
  total?: number | null;
}

/**
 * KeysetList runs the list queries of one table. A page is ONE statement returning ONE row:
 * `first` rows after a sort key plus one more (is there a next page?), whether a row precedes
 * `after` (is there a previous page?), and on request the total count and per-row details. The
 * same for many parent groups at once is also one statement, one row per group: a LATERAL
 * subquery per group, so each group walks the index and stops after `first + 1` rows. Positions
 * are keys, not offsets: a page boundary survives inserts and deletes before it.
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
    const page = this.#aggregateSql(where, request, params);
    const [row] = await this.#runner.query<PageRow>(
      request.count
        ? `select c.total, x.* from (${this.#countSql(where)}) c cross join (${page}) x`
        : `select x.* from (${page}) x`,
      params.values,
    );
    return this.#toPage(row, request);
  }

  /** count returns how many rows match `filter`. */
  async count(filter: F): Promise<number> {
    const params = new SqlParams();
    const where = this.#where(filter, params, []);
    const [row] = await this.#runner.query<{ total: number }>(this.#countSql(where), params.values);
    return row?.total ?? 0;
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
    const count = request.count
      ? `cross join lateral (${this.#countSql(where)}) c `
      : 'cross join (select null::int as total) c ';
    const rows = await this.#runner.query<PageRow & { ord: string }>(
      `select g.ord, c.total, x.* from ${source} ${count}` +
        `cross join lateral (${this.#aggregateSql(where, request, params)}) x order by g.ord`,
      params.values,
    );
    return rows.map((row) => this.#toPage(row, request));
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
    const rows = await this.#runner.query<{ total: number }>(
      `select c.total from ${source} cross join lateral (${this.#countSql(where)}) c order by g.ord`,
      params.values,
    );
    return rows.map((row) => row.total);
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

  #countSql(where: string): string {
    return `select count(*)::int as total from ${this.spec.table} t where ${where}`;
  }

  /**
   * The page as one row: `rows`, the JSON array of the rows after the cursor in key order (each
   * a JSON array: the spec's values, then the details asked for), and `has_previous`.
   */
  #aggregateSql(where: string, request: PageRequest, params: SqlParams): string {
    const details = (request.details ?? []).map((name) => {
      const sql = this.spec.details?.[name];
      if (sql === undefined) throw new RangeError(`${this.spec.table} has no detail '${name}'`);
      return sql;
    });
    const row = `json_build_array(${[...this.spec.values, ...details].join(', ')})`;
    return (
      `select bool_or(p._before) as has_previous, ` +
      `json_agg(${row} order by ${this.#keyList('p')}) filter (where not p._before) as rows ` +
      `from (${this.#pageSql(where, request, params)}) p`
    );
  }

  /**
   * The page subquery (to wrap as `p`): without `after`, the first `first + 1` rows; with it,
   * the last row at or before `after` (flagged `_before`) and the first `first + 1` rows after
   * it. Both branches are index range scans on the sort key.
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

  /** The page of one page row. */
  #toPage(row: PageRow | undefined, request: PageRequest): Page<R> {
    const rows = row?.rows ?? [];
    const read = this.spec.reader(request.details ?? []);
    const records: R[] = new Array(Math.min(rows.length, request.first));
    for (let i = 0; i < records.length; i++) records[i] = read(rows[i]!);
    return {
      records,
      hasNextPage: rows.length > request.first,
      hasPreviousPage: row?.has_previous === true,
      total: request.count ? Number(row?.total ?? 0) : undefined,
    };
  }
}
