import pg from 'pg';

const parseTimestamptz = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (
  text: string,
) => Date;

/**
 * TimestampTexts turns `timestamptz` values selected as text (`at::text`) into ISO-8601 strings,
 * parsing each distinct text once, with node-postgres's own parser: the result is what
 * `toISOString()` of the Date a plain `timestamptz` column would have given. The rows one
 * statement writes share their `now()`, so 10,000 `returning at::text` rows cost one parse and
 * one string instead of a Date and a regular-expression match each.
 */
export class TimestampTexts {
  #text: string | undefined;
  #iso = '';

  /** iso returns the ISO-8601 form of `text`, a timestamptz as PostgreSQL writes it. */
  iso(text: string): string {
    if (text !== this.#text) {
      this.#iso = parseTimestamptz(text).toISOString();
      this.#text = text;
    }
    return this.#iso;
  }
}
