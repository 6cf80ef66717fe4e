/**
 * StringPool hands out one shared copy of each short string it is given, so that the thousands
 * of objects that hold the same node name, status, pool, tag or NIC name (each parsed from its
 * own JSON answer or database row, hence its own copy) hold one. V8 does not internalise string
 * values it parses; at 10,000 cached guests those copies were about 0.14 KiB per guest.
 *
 * It pools lists of such strings too (internList: tag lists), one frozen array per distinct list.
 *
 * Bounded: strings longer than `maxLength` are returned as given, and once the pool holds `limit`
 * distinct strings (or `limit` lists) it only hands out those it has (a source of ever-new values
 * cannot grow it without end).
 */
export class StringPool {
  readonly #strings = new Map<string, string>();
  readonly #lists = new Map<string, readonly string[]>();
  readonly #limit: number;
  readonly #maxLength: number;

  /**
   * @param limit distinct strings kept at most (default 65,536)
   * @param maxLength longest string pooled, in UTF-16 code units (default 64)
   */
  constructor(limit = 65_536, maxLength = 64) {
    this.#limit = limit;
    this.#maxLength = maxLength;
  }

  /** size is the number of distinct strings pooled. */
  get size(): number {
    return this.#strings.size;
  }

  /** intern returns the pooled copy of `value` (pooling it when there is room). */
  intern<S extends string | null>(value: S): S {
    if (value === null || value.length > this.#maxLength) return value;
    const pooled = this.#strings.get(value);
    if (pooled !== undefined) return pooled as S;
    if (this.#strings.size < this.#limit) this.#strings.set(value, value);
    return value;
  }

  /**
   * internList returns one shared, frozen copy of the list `values` holds (its strings pooled):
   * thousands of guests carry the same few tag lists, most of them none, and an array of their
   * own costs each 32–60 bytes. Bounded like the strings: a list whose elements together are
   * longer than `maxLength` × 4, or a new one once `limit` lists are pooled, is returned frozen
   * but not pooled. `values` itself is not kept (the caller may reuse it).
   */
  internList(values: readonly string[]): readonly string[] {
    if (values.length === 0) return EMPTY_LIST;
    let length = 0;
    for (const value of values) length += value.length + 1;
    if (length > this.#maxLength * 4) return Object.freeze(values.map((v) => this.intern(v)));
    // JSON keeps lists apart that a plain join could run together (["a,b"] and ["a","b"]).
    const key = JSON.stringify(values);
    const pooled = this.#lists.get(key);
    if (pooled !== undefined) return pooled;
    const list = Object.freeze(values.map((v) => this.intern(v)));
    if (this.#lists.size < this.#limit) this.#lists.set(key, list);
    return list;
  }
}

/** The one empty list internList hands out. */
const EMPTY_LIST: readonly string[] = Object.freeze([]);

/** sharedStrings is the process's pool of inventory strings (node names, statuses, tags, NICs). */
export const sharedStrings = new StringPool();
