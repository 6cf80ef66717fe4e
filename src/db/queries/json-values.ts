/**
 * Helpers for rows that travel as JSON arrays (see ListSpec.values): the SQL that encodes a
 * column, and the readers that turn a decoded value into a record field exactly as the
 * `…FromRow` mappers of inventory-records.ts turn a node-postgres column.
 */

/**
 * utcIsoSql encodes a `timestamptz` as `Date.prototype.toISOString()` writes it
 * (`2026-11-26T00:42:08.123Z`: UTC, milliseconds truncated as node-postgres truncates them).
 */
export function utcIsoSql(expression: string): string {
  return `to_char(${expression} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** jsonNumber reads a nullable number column (bigint, double precision, int). */
export function jsonNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** jsonString reads a nullable text column. */
export function jsonString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** jsonStrings reads a `text[]` column: an empty list when null. */
export function jsonStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
