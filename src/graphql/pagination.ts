import type { ArgBuilder, ObjectRef, SchemaTypes } from '@pothos/core';
import type { GraphQLResolveInfo } from 'graphql';
import type {
  KeyColumn,
  KeysetList,
  ListSpec,
  Page,
  PageRequest,
  SortKey,
} from '../db/queries/keyset-list.js';
import { InputError } from '../lib/expected-error.js';
import { builder } from './builder.js';
import type { Loaders } from './loaders.js';
import { selects } from './selection.js';

/** DEFAULT_FIRST is the page size when `first` is not given. */
export const DEFAULT_FIRST = 50;

/** MAX_FIRST is the largest page a connection serves. */
export const MAX_FIRST = 500;

/** The largest value of a PostgreSQL `int`. */
const INT_MAX = 2_147_483_647;

/** ConnectionArgs are the pagination arguments of every inventory connection. */
export interface ConnectionArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
}

/** EdgeShape is one edge of a connection: a record and its cursor. */
export interface EdgeShape<T> {
  cursor: string;
  node: T;
}

/** ConnectionShape is what a `…Connection` type resolves from; `totalCount` runs only if asked. */
export interface ConnectionShape<T> {
  edges: EdgeShape<T>[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: () => Promise<number>;
}

/**
 * COLUMN is the complexity of a field read from a row already loaded: 0. Complexity counts rows
 * and lookups (a connection costs `first` times its edges; a lookup through a loader costs 1),
 * so that `vms(first: 500)` with addresses fits the default limit and nested lists do not.
 */
export const COLUMN = { complexity: 0 } as const;

/**
 * connectionComplexity is the complexity of a connection field: 2 for its own statements (page
 * and count) plus `first` times what each edge selects. `first` is clamped to the valid range
 * here so an out-of-range value reaches the resolver and is reported as BAD_USER_INPUT.
 */
export function connectionComplexity(args: ConnectionArgs): { field: number; multiplier: number } {
  const first = typeof args.first === 'number' ? args.first : DEFAULT_FIRST;
  return { field: 2, multiplier: Math.min(Math.max(first, 0), MAX_FIRST) };
}

/** parseFirst validates `first`: default 50, 0 to 500; anything else is BAD_USER_INPUT. */
export function parseFirst(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_FIRST;
  if (!Number.isInteger(first) || first < 0 || first > MAX_FIRST) {
    throw new InputError([
      { field: 'first', message: `must be between 0 and ${MAX_FIRST} (got ${first})` },
    ]);
  }
  return first;
}

/**
 * encodeCursor makes the opaque cursor of a position in a list: the list's table and the row's
 * sort key (a keyset cursor, not an offset), as base64url JSON.
 */
export function encodeCursor<R>(spec: ListSpec<R>, key: SortKey): string {
  return Buffer.from(JSON.stringify([spec.table, ...key])).toString('base64url');
}

/**
 * decodeCursor reads a cursor made by {@link encodeCursor} for this list; a malformed cursor,
 * or one of another list, is BAD_USER_INPUT naming `after`.
 */
export function decodeCursor<R>(spec: ListSpec<R>, cursor: string): SortKey {
  const bad = () => new InputError([{ field: 'after', message: 'is not a cursor of this list' }]);
  let decoded: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw bad();
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(decoded) || decoded.length !== spec.key.length + 1) throw bad();
  const [table, ...key] = decoded as unknown[];
  if (table !== spec.table) throw bad();
  if (!key.every((value, i) => validKeyValue(spec.key[i]!, value))) throw bad();
  return key as SortKey;
}

function validKeyValue(column: KeyColumn, value: unknown): boolean {
  if (column.type === 'int') {
    return Number.isInteger(value) && Math.abs(value as number) <= INT_MAX;
  }
  return typeof value === 'string' && value.length <= 255 && !value.includes('\u0000');
}

/** pageRequest validates `first` and `after` for a list. */
export function pageRequest<R>(spec: ListSpec<R>, args: ConnectionArgs): PageRequest {
  const first = parseFirst(args.first);
  if (args.after === null || args.after === undefined) return { first };
  return { first, after: decodeCursor(spec, args.after) };
}

/** An edge whose cursor is encoded when first read: most pages ask for `pageInfo.endCursor` only. */
class LazyEdge<R> implements EdgeShape<R> {
  readonly node: R;
  readonly #spec: ListSpec<R>;
  #cursor: string | undefined;

  constructor(spec: ListSpec<R>, node: R) {
    this.#spec = spec;
    this.node = node;
  }

  get cursor(): string {
    this.#cursor ??= encodeCursor(this.#spec, this.#spec.keyOf(this.node));
    return this.#cursor;
  }
}

/**
 * toConnection turns a page into a connection. totalCount is the page's own count when it
 * carries one, else `count` runs once, when totalCount is resolved.
 */
export function toConnection<R>(
  spec: ListSpec<R>,
  page: Page<R>,
  count: () => Promise<number>,
): ConnectionShape<R> {
  const edges: EdgeShape<R>[] = page.records.map((node) => new LazyEdge(spec, node));
  let total = page.total === undefined ? undefined : Promise.resolve(page.total);
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: () => {
      total ??= count();
      return total;
    },
  };
}

/** BuilderTypes are the schema types of {@link builder}, for helpers generic over refs. */
export type BuilderTypes =
  typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T>
    ? T extends SchemaTypes
      ? T
      : never
    : never;

/**
 * connectionType defines `<Name>Connection` and `<Name>Edge` for a node type: Relay edges with
 * cursors, the shared `PageInfo`, and `totalCount` (the rows matching the filter, on every page).
 */
export function connectionType<T>(
  name: string,
  nodeRef: ObjectRef<BuilderTypes, T>,
  what: string,
): ObjectRef<BuilderTypes, ConnectionShape<T>> {
  const edge = builder.objectRef<EdgeShape<T>>(`${name}Edge`).implement({
    description: `One ${what} of a page, with its cursor.`,
    fields: (t) => ({
      cursor: t.exposeString('cursor', {
        ...COLUMN,
        description: 'Opaque position of this edge: pass it as `after` for the next page.',
      }),
      node: t.expose('node', { type: nodeRef, complexity: 1 }),
    }),
  });
  return builder.objectRef<ConnectionShape<T>>(`${name}Connection`).implement({
    description: `A page of ${what}s, in a stable order, with keyset cursors.`,
    fields: (t) => ({
      edges: t.field({
        type: [edge],
        complexity: { field: 0, multiplier: 1 },
        resolve: (c) => c.edges,
      }),
      pageInfo: t.field({
        type: builder.pageInfoRef(),
        complexity: { field: 0, multiplier: 0 },
        resolve: (c) => c.pageInfo,
      }),
      totalCount: t.int({
        ...COLUMN,
        description: `How many ${what}s match the filter (on every page).`,
        resolve: (c) => c.totalCount(),
      }),
    }),
  });
}

/**
 * selectedPage is the page request of a connection field: `first` and `after` validated, plus
 * what the operation selects, so the page statement also counts (`totalCount`) and carries the
 * details of its rows (`edges.node.ipAddresses`) instead of issuing statements for them later.
 */
function selectedPage<R>(
  spec: ListSpec<R>,
  args: ConnectionArgs,
  info: GraphQLResolveInfo,
): PageRequest {
  const details = Object.keys(spec.details ?? {}).filter((name) =>
    selects(info, ['edges', 'node', name]),
  );
  return {
    ...pageRequest(spec, args),
    count: selects(info, ['totalCount']),
    ...(details.length > 0 ? { details } : {}),
  };
}

/** listConnection resolves a top-level connection: one statement for what is selected. */
export async function listConnection<R, F>(
  list: KeysetList<R, F>,
  filter: F,
  args: ConnectionArgs,
  info: GraphQLResolveInfo,
): Promise<ConnectionShape<R>> {
  const page = await list.page(filter, selectedPage(list.spec, args, info));
  return toConnection(list.spec, page, () => list.count(filter));
}

/**
 * groupConnection resolves a nested connection (the guests of a cluster or node) through the
 * group loaders: the pages of every parent asked in one tick come from one statement.
 */
export async function groupConnection<R, F>(
  loaders: Loaders,
  list: KeysetList<R, F>,
  group: readonly KeyColumn[],
  parent: SortKey,
  filter: F,
  args: ConnectionArgs,
  info: GraphQLResolveInfo,
): Promise<ConnectionShape<R>> {
  const query = { group: parent, filter, request: selectedPage(list.spec, args, info) };
  const page = await loaders.groupPages(list, group).load(query);
  return toConnection(list.spec, page, () => loaders.groupCounts(list, group).load(query));
}

/** pageArgs are the `first` and `after` arguments of every inventory connection. */
export function pageArgs(arg: ArgBuilder<BuilderTypes>) {
  return {
    first: arg.int({
      description: `Page size: ${DEFAULT_FIRST} by default, 0 to ${MAX_FIRST}.`,
    }),
    after: arg.string({
      description: 'Return the rows after this cursor (an edge cursor or pageInfo.endCursor).',
    }),
  };
}
