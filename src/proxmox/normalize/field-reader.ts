import { PveBadResponseError } from '../errors.js';

/** INVALID marks a wire value that cannot be coerced to the expected type. */
export const INVALID: unique symbol = Symbol('invalid');

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const PREVIEW_LENGTH = 40;

/** preview renders a wire value for an error message, cut to a readable length. */
function preview(value: unknown): string {
  const text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}…` : text;
}

/**
 * badField builds the PveBadResponseError for member `at` (a path such as `data[2].vmid`) that
 * does not hold what PVE sends.
 */
export function badField(at: string, expected: string, value: unknown): PveBadResponseError {
  return new PveBadResponseError(`${at}: expected ${expected}, got ${preview(value)}`, at);
}

/** isRecord is true for a non-null, non-array object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * toNumber coerces what PVE sends for a number: a JSON number, a numeric string ("2048",
 * "3.47726673451418e+15"), or `""`/null/absent (→ undefined). Anything else is `invalid`.
 */
export function toNumber(value: unknown): number | undefined | typeof INVALID {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : INVALID;
  if (typeof value === 'string' && NUMERIC.test(value.trim())) return Number(value.trim());
  return INVALID;
}

/**
 * toBoolean coerces what PVE sends for a boolean: 1/0, "1"/"0", "" (false), true/false, and
 * null/absent (→ undefined). Anything else is `invalid`.
 */
export function toBoolean(value: unknown): boolean | undefined | typeof INVALID {
  if (value === undefined || value === null) return undefined;
  if (value === 1 || value === '1' || value === true) return true;
  if (value === 0 || value === '0' || value === '' || value === false) return false;
  return INVALID;
}

/**
 * FieldReader reads the members of one wire object (`at` is its path, e.g. `data[3]`) with
 * PVE's loose typing coerced (numbers from strings, booleans from 1/0/""), and throws a
 * PveBadResponseError naming the member when a value cannot be coerced or a required one is
 * missing. Unknown extra members are ignored.
 */
export class FieldReader {
  readonly at: string;
  readonly #row: Record<string, unknown>;

  private constructor(row: Record<string, unknown>, at: string) {
    this.#row = row;
    this.at = at;
  }

  /** of wraps `value` (which must be an object) found at path `at`. */
  static of(value: unknown, at: string): FieldReader {
    if (!isRecord(value)) throw badField(at, 'an object', value);
    return new FieldReader(value, at);
  }

  /** has is true when the member is present and not null. */
  has(key: string): boolean {
    const value = this.#row[key];
    return value !== undefined && value !== null;
  }

  /** raw returns the member as sent. */
  raw(key: string): unknown {
    return this.#row[key];
  }

  /** keys lists the member names. */
  keys(): string[] {
    return Object.keys(this.#row);
  }

  /** path is the path of member `key` for error messages. */
  path(key: string): string {
    return `${this.at}.${key}`;
  }

  /**
   * optString reads a string member; numbers are turned into their decimal text; `""`, null
   * and absent give undefined.
   */
  optString(key: string): string | undefined {
    const value = this.#row[key];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw badField(this.path(key), 'a string', value);
  }

  /** optStringKeepEmpty is optString but keeps `""` (for members where "" has a meaning). */
  optStringKeepEmpty(key: string): string | undefined {
    return this.#row[key] === '' ? '' : this.optString(key);
  }

  /** string reads a required, non-empty string member. */
  string(key: string): string {
    const value = this.optString(key);
    if (value === undefined) throw badField(this.path(key), 'a non-empty string', this.#row[key]);
    return value;
  }

  /** optNumber reads a number member (see toNumber). */
  optNumber(key: string): number | undefined {
    const value = toNumber(this.#row[key]);
    if (value === INVALID) throw badField(this.path(key), 'a number', this.#row[key]);
    return value;
  }

  /** number reads a required number member. */
  number(key: string): number {
    const value = this.optNumber(key);
    if (value === undefined) throw badField(this.path(key), 'a number', this.#row[key]);
    return value;
  }

  /** optInteger reads an integer member (from a number or numeric string). */
  optInteger(key: string): number | undefined {
    const value = this.optNumber(key);
    if (value !== undefined && !Number.isSafeInteger(value)) {
      throw badField(this.path(key), 'an integer', this.#row[key]);
    }
    return value;
  }

  /** integer reads a required integer member. */
  integer(key: string): number {
    const value = this.optInteger(key);
    if (value === undefined) throw badField(this.path(key), 'an integer', this.#row[key]);
    return value;
  }

  /** vmid reads a required guest id: a positive integer, sent as a number or a string. */
  vmid(key = 'vmid'): number {
    const value = this.optInteger(key);
    if (value === undefined || value < 1) {
      throw badField(this.path(key), 'a positive integer vmid', this.#row[key]);
    }
    return value;
  }

  /** optBoolean reads a boolean member (see toBoolean). */
  optBoolean(key: string): boolean | undefined {
    const value = toBoolean(this.#row[key]);
    if (value === INVALID) throw badField(this.path(key), 'a boolean (1/0)', this.#row[key]);
    return value;
  }

  /**
   * usage reads a group of metric members: undefined when none of `keys` is present (PVE has no
   * recent stats), otherwise every key as a number, missing ones as 0.
   */
  usage<K extends string>(keys: readonly K[]): Record<K, number> | undefined {
    let any = false;
    for (const key of keys) if (this.has(key)) any = true;
    if (!any) return undefined;
    const usage = {} as Record<K, number>;
    for (const key of keys) usage[key] = this.optNumber(key) ?? 0;
    return usage;
  }

  /** boolean reads a boolean member, absent meaning `fallback`. */
  boolean(key: string, fallback: boolean): boolean {
    return this.optBoolean(key) ?? fallback;
  }
}

/**
 * readList applies `read` to every element of a list answer (`at` is the path of the list).
 * One malformed element rejects the whole list: a sync must never act on a partial list (it
 * would delete what it did not see).
 */
export function readList<T>(
  value: unknown,
  at: string,
  read: (item: unknown, at: string) => T,
): T[] {
  if (!Array.isArray(value)) throw badField(at, 'a list', value);
  return value.map((item, index) => read(item, `${at}[${index}]`));
}
