import { parseClusterId } from '../db/cluster-store.js';
import { InputError } from '../lib/expected-error.js';

/** MAX_FILTER_LIST is the most values a list filter (`vmids`, `statusIn`) accepts. */
export const MAX_FILTER_LIST = 1000;

/**
 * FilterReader validates the fields of one filter input and names each bad field by its path
 * (`filter.clusterId`); `null` and absent fields mean "do not filter" and read as undefined.
 */
export class FilterReader {
  readonly #prefix: string;

  constructor(prefix = 'filter') {
    this.#prefix = prefix;
  }

  /** clusterId reads an ID that must be a cluster id (`"1"`). */
  clusterId(name: string, value: string | number | null | undefined): number | undefined {
    if (value === null || value === undefined) return undefined;
    return parseClusterId(value, this.#field(name));
  }

  /** text reads a string compared with a column: no NUL character, at most 255 characters. */
  text(name: string, value: string | null | undefined): string | undefined {
    if (value === null || value === undefined) return undefined;
    this.#checkText(name, value);
    return value;
  }

  /** texts reads a list of strings ({@link FilterReader.text}), at most {@link MAX_FILTER_LIST}. */
  texts(name: string, values: readonly string[] | null | undefined): string[] | undefined {
    if (values === null || values === undefined) return undefined;
    this.#checkLength(name, values.length);
    for (const value of values) this.#checkText(name, value);
    return [...values];
  }

  /** ints reads a list of integers, at most {@link MAX_FILTER_LIST}. */
  ints(name: string, values: readonly number[] | null | undefined): number[] | undefined {
    if (values === null || values === undefined) return undefined;
    this.#checkLength(name, values.length);
    return [...values];
  }

  /** value reads any other field (enums, booleans) as it is. */
  value<T>(value: T | null | undefined): T | undefined {
    return value ?? undefined;
  }

  #field(name: string): string {
    return `${this.#prefix}.${name}`;
  }

  #checkText(name: string, value: string): void {
    if (value.includes('\u0000') || value.length > 255) {
      throw new InputError([
        { field: this.#field(name), message: 'must be at most 255 characters, without NUL' },
      ]);
    }
  }

  #checkLength(name: string, length: number): void {
    if (length > MAX_FILTER_LIST) {
      throw new InputError([
        { field: this.#field(name), message: `accepts at most ${MAX_FILTER_LIST} values` },
      ]);
    }
  }
}
