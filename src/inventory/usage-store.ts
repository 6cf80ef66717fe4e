import { stableJson } from './state.js';

/**
 * UsageStore keeps the latest usage metrics of one kind of object in memory (they change every
 * poll and never cause an event) and hands out, at each flush, only those that changed since the
 * last successful flush (DESIGN §4: written in batches at most every PVESPHERE_METRICS_INTERVAL).
 * Polls only record the values; they are serialised for comparison when written or flushed, not
 * on every poll.
 */
export class UsageStore<U, M = undefined> {
  readonly #current = new Map<string, { usage: U; meta: M }>();
  /** What was last written per key, serialised (stableJson). */
  readonly #flushed = new Map<string, string>();

  /** set records the latest usage of `key` (with what the writer needs to address the row). */
  set(key: string, usage: U, meta: M): void {
    const entry = this.#current.get(key);
    if (entry) {
      entry.usage = usage;
      entry.meta = meta;
    } else {
      this.#current.set(key, { usage, meta });
    }
  }

  /** get is the latest usage of `key`. */
  get(key: string): U | undefined {
    return this.#current.get(key)?.usage;
  }

  /** delete forgets an object that is gone. */
  delete(key: string): void {
    this.#current.delete(key);
    this.#flushed.delete(key);
  }

  /** markWritten records that `key`'s current usage is in the database (written with its row). */
  markWritten(key: string): void {
    const entry = this.#current.get(key);
    if (entry) this.#flushed.set(key, stableJson(entry.usage));
  }

  /** changed lists the objects whose usage differs from what was last written. */
  changed(): Map<string, { usage: U; meta: M; text: string }> {
    const out = new Map<string, { usage: U; meta: M; text: string }>();
    for (const [key, entry] of this.#current) {
      const text = stableJson(entry.usage);
      if (this.#flushed.get(key) !== text)
        out.set(key, { usage: entry.usage, meta: entry.meta, text });
    }
    return out;
  }

  /** committed records a successful flush of the given entries. */
  committed(entries: ReadonlyMap<string, { text: string }>): void {
    for (const [key, entry] of entries) this.#flushed.set(key, entry.text);
  }
}
