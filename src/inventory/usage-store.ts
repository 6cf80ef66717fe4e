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
    /** The store's change stamp of each object when read (see UsageStore.committed). */
    readonly stamps: Float64Array,
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
 * poll and never cause an event) and hands out, at each flush, only those set to other values
 * since they were last written (DESIGN §4: written in batches at most every
 * PVESPHERE_METRICS_INTERVAL).
 *
 * Compact by design, since it holds a row per guest: each key owns a slot in one numeric column
 * (Float64Array, `fields.length` values per slot, null stored as NaN) of the latest values, so a
 * poll copies numbers instead of retaining the usage object it was given, and a comparison is a
 * loop over numbers. Two values are equal when both are null, or as numbers (0 and -0 alike, as
 * they serialise alike). What is pending is one stamp per slot instead of a copy of the written
 * values (8 bytes instead of 64 per guest): 0 when the slot's values are written, else the store's
 * sequence number of its latest change — so a flush commits exactly the changes it read, even when
 * its key was set again, or deleted and added anew, while it was being written. A value set back
 * to what was last written is written again (a row, never an event). The `meta` of a key is kept
 * as given, or the one already kept when it is shallowly equal (so the fresh meta of every poll
 * dies young); give a number or a string where one identifies the row, not an object per key.
 */
export class UsageStore<U extends UsageValues<U>, M = undefined> {
  readonly #fields: readonly (keyof U & string)[];
  readonly #width: number;
  readonly #slots = new Map<string, number>();
  /** Slots freed by delete(), reused first. */
  readonly #free: number[] = [];
  #metas: (M | undefined)[] = [];
  #current: Float64Array;
  /** Per slot: 0 when written, else the sequence number of its latest change (pending). */
  #stamps: Float64Array;
  /** The last change stamp handed out (exact as a double up to 2^53 changes). */
  #sequence = 0;
  #capacity = INITIAL_SLOTS;
  /** Slots ever handed out (the high-water mark of the columns). */
  #used = 0;

  constructor(options: UsageStoreOptions<U>) {
    this.#fields = [...options.fields];
    this.#width = this.#fields.length;
    this.#current = new Float64Array(this.#capacity * this.#width);
    this.#stamps = new Float64Array(this.#capacity);
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
      this.#encode(usage, slot);
      this.#stamps[slot] = ++this.#sequence;
      return;
    }
    if (!shallowEqual(this.#metas[slot], meta)) this.#metas[slot] = meta;
    if (this.#encode(usage, slot)) this.#stamps[slot] = ++this.#sequence;
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
    this.#stamps[slot] = 0;
    this.#free.push(slot);
  }

  /** markWritten records that `key`'s current usage is in the database (written with its row). */
  markWritten(key: string): void {
    const slot = this.#slots.get(key);
    if (slot !== undefined) this.#stamps[slot] = 0;
  }

  /** changed is a snapshot of the objects whose usage was set to other values since written. */
  changed(): UsageSnapshot<U, M> {
    const width = this.#width;
    const current = this.#current;
    const stamps = this.#stamps;
    const keys: string[] = [];
    const slots: number[] = [];
    for (const [key, slot] of this.#slots) {
      if (stamps[slot] === 0) continue;
      keys.push(key);
      slots.push(slot);
    }
    const values = new Float64Array(slots.length * width);
    const read = new Float64Array(slots.length);
    const metas: M[] = new Array(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      values.set(current.subarray(slot * width, (slot + 1) * width), i * width);
      read[i] = stamps[slot]!;
      metas[i] = this.#metas[slot] as M;
    }
    return new UsageSnapshot<U, M>(keys, metas, this.#fields, values, read);
  }

  /**
   * committed records a successful flush of a snapshot (as changed() returned it): each of its
   * objects is written unless it changed since the snapshot was read (then that change is still
   * pending).
   */
  committed(snapshot: UsageSnapshot<U, M>): void {
    for (let i = 0; i < snapshot.size; i++) {
      const slot = this.#slots.get(snapshot.keys[i]!);
      if (slot !== undefined && this.#stamps[slot] === snapshot.stamps[i]) this.#stamps[slot] = 0;
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
    const stamps = new Float64Array(capacity);
    stamps.set(this.#stamps);
    this.#current = current;
    this.#stamps = stamps;
    this.#capacity = capacity;
  }

  /** encode stores `usage` in `slot`'s values; returns whether any of them changed. */
  #encode(usage: U, slot: number): boolean {
    const fields = this.#fields;
    const column = this.#current;
    const from = slot * this.#width;
    let changed = false;
    for (let i = 0; i < fields.length; i++) {
      const value = usage[fields[i]!];
      const next = typeof value === 'number' ? value : Number.NaN;
      if (!sameNumber(column[from + i]!, next)) {
        column[from + i] = next;
        changed = true;
      }
    }
    return changed;
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
