/**
 * SqlParams collects the values of one parameterised statement: `add(value, cast)` returns the
 * placeholder (`$3::int`) to write into the SQL text and remembers the value, so SQL text and
 * values can never drift apart. Values always travel as parameters, never inside the text.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  /** add appends a value and returns its placeholder, with an optional `::cast`. */
  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

/**
 * likeContains is the `ILIKE` pattern matching `text` anywhere, with LIKE's wildcards (`%`, `_`)
 * and the escape character (`\`) of `text` escaped: use it with `ESCAPE '\'`.
 */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
