import type { RawResponse } from './fact.js';

/** PVE_HEADERS are the headers pveproxy puts on every JSON answer (API.md §1.1). */
export const PVE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json;charset=UTF-8',
  server: 'pve-api-daemon/3.0',
  'cache-control': 'max-age=0',
  pragma: 'no-cache',
};

/** okData builds a 200 answer `{"data": <data>}` the way PVE's json formatter does. */
export function okData(data: unknown): RawResponse {
  return { status: 200, headers: { ...PVE_HEADERS }, body: JSON.stringify({ data }) };
}

/**
 * okText builds a 200 answer from literal JSON text, for numbers JSON.stringify cannot produce
 * (exponent notation such as `3.47726673451418e+15`) and for broken bodies.
 */
export function okText(body: string): RawResponse {
  return { status: 200, headers: { ...PVE_HEADERS }, body };
}

/**
 * pveError builds an error answer of libpve-http-server-perl >= 5.2.0: body
 * `{"data":null,"message":"<message>\n"}` (+ `errors`), reason phrase = first line of the
 * message, `Connection: close` (API.md §1.1).
 */
export function pveError(
  status: number,
  message: string,
  errors?: Record<string, string>,
): RawResponse {
  const body: Record<string, unknown> = { data: null, message: `${message}\n` };
  if (errors) body.errors = errors;
  return {
    status,
    statusText: firstLine(message),
    headers: { ...PVE_HEADERS, connection: 'close' },
    body: JSON.stringify(body),
  };
}

/**
 * legacyError builds an error answer of libpve-http-server-perl < 5.2.0: body `{"data":null}`
 * (+ `errors`), the text only in the reason phrase (API.md §1.1).
 */
export function legacyError(
  status: number,
  reason: string,
  errors?: Record<string, string>,
): RawResponse {
  const body: Record<string, unknown> = { data: null };
  if (errors) body.errors = errors;
  return {
    status,
    statusText: reason,
    headers: { ...PVE_HEADERS, connection: 'close' },
    body: JSON.stringify(body),
  };
}

/**
 * emptyError builds an answer with an empty body and the text only in the reason phrase, as PVE
 * sends for 401 (API.md §2.2) and for 595/596 from the proxy (API.md §3).
 */
export function emptyError(status: number, reason: string): RawResponse {
  return { status, statusText: reason, headers: { connection: 'close' }, body: '' };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? '';
}

/** Row is one object of a list answer, as parsed from JSON. */
export type Row = Record<string, unknown>;

/**
 * Violations collects what a raw answer does wrong; `list` is what `PveFact.check` returns.
 */
export class Violations {
  readonly list: string[] = [];

  /** require records `message` when `condition` is false and returns the condition. */
  require(condition: boolean, message: string): boolean {
    if (!condition) this.list.push(message);
    return condition;
  }
}

/**
 * parseJson parses a raw body; on failure it records a violation and returns undefined.
 */
export function parseJson(raw: RawResponse, v: Violations): unknown {
  try {
    return JSON.parse(raw.body) as unknown;
  } catch {
    v.require(false, `body is not JSON: ${JSON.stringify(raw.body.slice(0, 60))}`);
    return undefined;
  }
}

/**
 * dataOf checks a 200 `{"data": …}` envelope and returns `data` (undefined after a violation).
 */
export function dataOf(raw: RawResponse, v: Violations): unknown {
  if (!v.require(raw.status === 200, `status ${raw.status}, expected 200`)) return undefined;
  const body = parseJson(raw, v);
  if (!v.require(isObject(body) && 'data' in body, 'no "data" member in the envelope')) {
    return undefined;
  }
  return (body as Row).data;
}

/** rowsOf checks a 200 list answer and returns its rows (objects only; others are violations). */
export function rowsOf(raw: RawResponse, v: Violations): Row[] {
  const data = dataOf(raw, v);
  if (data === undefined) return [];
  if (!v.require(Array.isArray(data), '"data" is not an array')) return [];
  const rows: Row[] = [];
  (data as unknown[]).forEach((row, i) => {
    if (v.require(isObject(row), `data[${i}] is not an object`)) rows.push(row as Row);
  });
  return rows;
}

/** objectOf checks a 200 object answer and returns `data` as an object. */
export function objectOf(raw: RawResponse, v: Violations): Row | undefined {
  const data = dataOf(raw, v);
  if (data === undefined) return undefined;
  return v.require(isObject(data), '"data" is not an object') ? (data as Row) : undefined;
}

/** isObject is true for a non-null, non-array object. */
export function isObject(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** isInt is true for a JSON number that is an integer (not a numeric string). */
export function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** isFlag is true for the 0/1 numbers PVE uses as booleans (never true/false). */
export function isFlag(value: unknown): value is 0 | 1 {
  return value === 0 || value === 1;
}

/** label names a row in violation messages (`data[2] (qemu/101)`). */
export function label(row: Row, index: number): string {
  const id =
    typeof row.id === 'string' ? row.id : (row.vmid ?? row.node ?? row.storage ?? row.name);
  return id === undefined ? `data[${index}]` : `data[${index}] (${String(id)})`;
}

/**
 * expectErrorStatus checks an error answer: the status, an empty body or a `{"data":null,…}`
 * envelope, and (when given) that the message or the reason phrase contains `text`.
 */
export function expectError(
  raw: RawResponse,
  v: Violations,
  status: number | readonly number[],
  options: { emptyBody?: boolean; text?: string } = {},
): void {
  const statuses = typeof status === 'number' ? [status] : status;
  v.require(statuses.includes(raw.status), `status ${raw.status}, expected ${statuses.join('/')}`);
  if (options.emptyBody) {
    v.require(raw.body === '', `body ${JSON.stringify(raw.body.slice(0, 60))}, expected empty`);
  } else if (raw.body !== '') {
    const body = parseJson(raw, v);
    v.require(isObject(body) && body.data === null, 'error body without "data": null');
  }
  if (options.text !== undefined) {
    const body = raw.body === '' ? undefined : safeParse(raw.body);
    const message = isObject(body) && typeof body.message === 'string' ? body.message : '';
    const found = message.includes(options.text) || (raw.statusText ?? '').includes(options.text);
    v.require(found, `neither the message nor the reason phrase contains ${options.text}`);
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
