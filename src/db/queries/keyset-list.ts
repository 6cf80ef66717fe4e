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
  /**
   * Details a page can carry, by name: select-list expressions over a returned row `p`, each
   * ending in `as <column>` (a guest's addresses as JSON, say), computed only for the page's rows.
   */
  details?: Readonly<Record<string, string>>;
  /** fromRow maps a row (with the columns of the details asked for, when any). */
  fromRow(row: SqlRow): R;
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

/**
 * KeysetList runs the list queries of one table. A page is ONE statement: `first` rows after a
 * sort key plus one more (is there a next page?), the row just before `after` (is there a
 * previous page?), and on request the total count and per-row details. The same for many parent
 * groups at once is also one statement: a LATERAL subquery per group, so each group walks the
 * index and stops after `first + 1` rows. Positions are keys, not offsets: a page boundary
 * survives inserts and deletes before it.
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
    const inner = this.#pageSql(where, request, params);
    const order = `order by p._before desc, ${this.#keyList('p')}`;
    const rows = await this.#runner.query(
      request.count
        ? `select ${this.#select(request)} from (${this.#countSql(where)}) c ` +
            `left join (${inner}) p on true ${order}`
        : `select ${this.#select(request)} from (${inner}) p ${order}`,
      params.values,
    );
    return this.#toPage(rows, request);
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
    const count = request.count ? `cross join lateral (${this.#countSql(where)}) c ` : '';
    const rows = await this.#runner.query(
      `select g.ord as _group, ${this.#select(request)} from ${source} ${count}` +
        `left join lateral (${this.#pageSql(where, request, params)}) p on true ` +
        `order by g.ord, p._before desc, ${this.#keyList('p')}`,
      params.values,
    );
    const byGroup = groupRows(rows, (row) => Number(row._group));
    return groups.map((_, i) => this.#toPage(byGroup.get(i + 1) ?? [], request));
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

  /** The outer select list: the page row `p`, the details asked for, the count `c`. */
  #select(request: PageRequest): string {
    const details = (request.details ?? []).map((name) => {
      const sql = this.spec.details?.[name];
      if (sql === undefined) throw new RangeError(`${this.spec.table} has no detail '${name}'`);
      return sql;
    });
    return ['p.*', ...details, ...(request.count ? ['c.total as _total'] : [])].join(', ');
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

  /** Rows of one page; a row whose `_before` is null is the empty page's count-only row. */
  #toPage(rows: readonly SqlRow[], request: PageRequest): Page<R> {
    const after = rows.filter((row) => row._before === false);
    return {
      records: after.slice(0, request.first).map((row) => this.spec.fromRow(row)),
      hasNextPage: after.length > request.first,
      hasPreviousPage: rows.some((row) => row._before === true),
      total: request.count ? Number(rows[0]?._total ?? 0) : undefined,
    };
  }
}
