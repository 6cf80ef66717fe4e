/** UsageValues is a usage record: every metric a number, or null when PVE sent none. */
export type UsageValues<U> = { [K in keyof U]: number | null };

/** UsageStoreOptions configures a UsageStore. */
export interface UsageStoreOptions<U> {
  /** The metrics of a usage record: all a store keeps of it (other properties are dropped). */
  fields: readonly (keyof U & string)[];
}

/**
 * UsageSnapshot is what a flush reads of a store: the objects whose usage changed, packed — their
 * keys, their metas and one Float64Array of their values (`fields.length` per object, in the
 * store's field order, null as NaN). Packed because a flush of 1,000 guests every minute per
 * cluster is what allocates most in steady state: an object per guest, and its usage as another,
 * lived through the wait for a database slot and the statement, so V8 promoted them (measured at
 * 100 × 1,000 guests: about half of all the bytes promoted and then collected by full GCs).
 */
export class UsageSnapshot<U, M> {
  readonly #fields: readonly (keyof U & string)[];
  readonly #values: Float64Array;

  constructor(
    /** The objects' keys, in the snapshot's order. */
    readonly keys: readonly string[],
    /** Their metas (what addresses each row), in the same order. */
    readonly metas: readonly M[],
    fields: readonly (keyof U & string)[],
    values: Float64Array,
  ) {
    this.#fields = fields;
    this.#values = values;
  }

  /** size is the number of objects in the snapshot. */
  get size(): number {
    return this.keys.length;
  }

  /** usage is the usage of the `index`-th object (a new object each call). */
  usage(index: number): U {
    return decodeUsage<U>(this.#fields, this.#values, index);
  }

  /** column is one metric of every object, in the snapshot's order (NaN where PVE sent none). */
  column(field: keyof U & string): Float64Array {
    const at = this.#fields.indexOf(field);
    if (at < 0) throw new RangeError(`no usage field ${field}`);
    const width = this.#fields.length;
    const out = new Float64Array(this.keys.length);
    for (let i = 0; i < out.length; i++) out[i] = this.#values[i * width + at]!;
    return out;
  }

  /** values is the `index`-th object's packed values (a view, not a copy). */
  values(index: number): Float64Array {
    const width = this.#fields.length;
    return this.#values.subarray(index * width, (index + 1) * width);
  }
}

/** Slots a new store has room for before its columns first grow. */
const INITIAL_SLOTS = 16;

/**
 * UsageStore keeps the latest usage metrics of one kind of object in memory (they change every
 * poll and never cause an event) and hands out, at each flush, only those that differ from what
 * was last written (DESIGN §4: written in batches at most every PVESPHERE_METRICS_INTERVAL).
 *
 * Compact by design, since it holds a row per guest: each key owns a slot in two numeric columns
 * (Float64Array, `fields.length` values per slot, null stored as NaN) — the latest values and the
 * last written ones — so a poll copies numbers instead of retaining the usage object it was
 * given, and a comparison is a loop over numbers. Two values are equal when both are null, or as
 * numbers (0 and -0 alike, as they serialise alike). The `meta` of a key is kept as given, or the
 * one already kept when it is shallowly equal (so the fresh meta of every poll dies young).
 */
export class UsageStore<U extends UsageValues<U>, M = undefined> {
  readonly #fields: readonly (keyof U & string)[];
  readonly #width: number;
  readonly #slots = new Map<string, number>();
  /** Slots freed by delete(), reused first. */
  readonly #free: number[] = [];
  #metas: (M | undefined)[] = [];
  #current: Float64Array;
  #flushed: Float64Array;
  /** 1 when the slot's flushed values were written (else everything of it is pending). */
  #written: Uint8Array;
  #capacity = INITIAL_SLOTS;
  /** Slots ever handed out (the high-water mark of the columns). */
  #used = 0;

  constructor(options: UsageStoreOptions<U>) {
    this.#fields = [...options.fields];
    this.#width = this.#fields.length;
    this.#current = new Float64Array(this.#capacity * this.#width);
    this.#flushed = new Float64Array(this.#capacity * this.#width);
    this.#written = new Uint8Array(this.#capacity);
  }

  /** size is the number of objects whose usage is kept. */
  get size(): number {
    return this.#slots.size;
  }

  /** set records the latest usage of `key` (with what the writer needs to address the row). */
  set(key: string, usage: U, meta: M): void {
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = this.#allocate();
      this.#slots.set(key, slot);
      this.#metas[slot] = meta;
    } else if (!shallowEqual(this.#metas[slot], meta)) {
      this.#metas[slot] = meta;
    }
    this.#encode(usage, this.#current, slot);
  }

  /** get is the latest usage of `key` (a new object each call). */
  get(key: string): U | undefined {
    const slot = this.#slots.get(key);
    return slot === undefined ? undefined : decodeUsage<U>(this.#fields, this.#current, slot);
  }

  /** delete forgets an object that is gone. */
  delete(key: string): void {
    const slot = this.#slots.get(key);
    if (slot === undefined) return;
    this.#slots.delete(key);
    this.#metas[slot] = undefined;
    this.#written[slot] = 0;
    this.#free.push(slot);
  }

  /** markWritten records that `key`'s current usage is in the database (written with its row). */
  markWritten(key: string): void {
    const slot = this.#slots.get(key);
    if (slot === undefined) return;
    const from = slot * this.#width;
    this.#flushed.set(this.#current.subarray(from, from + this.#width), from);
    this.#written[slot] = 1;
  }

  /** changed is a snapshot of the objects whose usage differs from what was last written. */
  changed(): UsageSnapshot<U, M> {
    const width = this.#width;
    const current = this.#current;
    const flushed = this.#flushed;
    const keys: string[] = [];
    const slots: number[] = [];
    for (const [key, slot] of this.#slots) {
      const from = slot * width;
      let same = this.#written[slot] === 1;
      for (let i = 0; same && i < width; i++) {
        same = sameNumber(current[from + i]!, flushed[from + i]!);
      }
      if (!same) {
        keys.push(key);
        slots.push(slot);
      }
    }
    const values = new Float64Array(slots.length * width);
    const metas: M[] = new Array(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const from = slots[i]! * width;
      values.set(current.subarray(from, from + width), i * width);
      metas[i] = this.#metas[slots[i]!] as M;
    }
    return new UsageSnapshot<U, M>(keys, metas, this.#fields, values);
  }

  /**
   * committed records a successful flush of a snapshot (as changed() returned it: the values it
   * carries are recorded as written, whatever was set since).
   */
  committed(snapshot: UsageSnapshot<U, M>): void {
    for (let i = 0; i < snapshot.size; i++) {
      const slot = this.#slots.get(snapshot.keys[i]!);
      if (slot === undefined) continue; // deleted since
      this.#flushed.set(snapshot.values(i), slot * this.#width);
      this.#written[slot] = 1;
    }
  }

  #allocate(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    if (this.#used === this.#capacity) this.#grow();
    return this.#used++;
  }

  #grow(): void {
    // A quarter more each time: at most a fifth of the columns unused (doubling could leave
    // half of them so), for a few more copies of a few hundred KiB while a cluster's first
    // listing is recorded.
    const capacity = this.#capacity + Math.max(INITIAL_SLOTS, this.#capacity >> 2);
    const current = new Float64Array(capacity * this.#width);
    current.set(this.#current);
    const flushed = new Float64Array(capacity * this.#width);
    flushed.set(this.#flushed);
    const written = new Uint8Array(capacity);
    written.set(this.#written);
    this.#current = current;
    this.#flushed = flushed;
    this.#written = written;
    this.#capacity = capacity;
  }

  #encode(usage: U, column: Float64Array, slot: number): void {
    const fields = this.#fields;
    const from = slot * this.#width;
    for (let i = 0; i < fields.length; i++) {
      const value = usage[fields[i]!];
      column[from + i] = typeof value === 'number' ? value : Number.NaN;
    }
  }
}

/** decodeUsage reads the usage record packed at `index` of `column` (NaN back to null). */
function decodeUsage<U>(fields: readonly string[], column: Float64Array, index: number): U {
  const from = index * fields.length;
  const usage: Record<string, number | null> = {};
  for (let i = 0; i < fields.length; i++) {
    const value = column[from + i]!;
    usage[fields[i]!] = Number.isNaN(value) ? null : value;
  }
  return usage as U;
}

/** sameNumber compares two stored values: NaN (null) equals NaN, 0 equals -0. */
function sameNumber(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** shallowEqual tells whether two metas have the same own properties with identical values. */
function shallowEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let count = 0;
  for (const key in x) {
    if (!Object.hasOwn(x, key)) continue;
    if (x[key] !== y[key]) return false;
    count++;
  }
  for (const key in y) if (Object.hasOwn(y, key)) count--;
  return count === 0;
}
