/**
 * RowScanner reads a JSON list answer of flat rows — `{"data":[{…},{…},…]}` whose rows hold only
 * strings, numbers, booleans and null — straight from the response bytes, without JSON.parse.
 *
 * Why: PVE serialises with JSON::XS from Perl hashes, so every row of every answer comes with its
 * members in a random order (shared/pve/API.md §1.1). V8's JSON.parse gives an object a hidden
 * class per member order, so a 1,000-guest `/cluster/resources` creates ~17,000 new hidden
 * classes per poll and parses 4–6× slower than the same text in a stable order (19 vs 3 ms,
 * measured). The scanner instead fills one reused record with a fixed shape: the members the
 * caller reads (`keys`), each `undefined` unless the row sends it; other members are checked as
 * JSON and skipped.
 *
 * It is a fast path, not a second JSON parser: whatever lies outside that subset — another
 * envelope member, a nested value, a member name with an escape, malformed JSON — makes `scan`
 * return false, and the caller parses the answer the ordinary way (which also reports errors).
 * Within the subset its values equal JSON.parse's (strings decoded as UTF-8, escapes through
 * JSON.parse, numbers correctly rounded, a repeated member's last value wins).
 */
export class RowScanner<K extends string> {
  readonly #keys: readonly K[];
  readonly #keyBytes: Uint8Array[];
  /** Open-addressing table of member-name hashes: HASH_EMPTY or (hash, slot) pairs. */
  readonly #table: Int32Array;
  readonly #tableMask: number;
  readonly #record: Record<K, unknown>;
  /** Slots set in the current row (to clear before the next). */
  readonly #set: Int32Array;
  #setCount = 0;
  #bytes: Uint8Array = new Uint8Array(0);
  #buffer: SliceableBuffer = Buffer.alloc(0) as SliceableBuffer;
  #pos = 0;
  /** Recent short ASCII string values, direct-mapped by hash (see #string). */
  readonly #strings: (string | undefined)[] = new Array(STRING_CACHE_SIZE).fill(undefined);
  /** 1 for the slots whose values go into the row digest. */
  readonly #digested: Uint8Array;
  /** The current row's digest, as two 32-bit sums of member hashes (see `digest`). */
  #digestHigh = 0;
  #digestLow = 0;

  /**
   * RowScanner reads the members `keys` (distinct names, ASCII) of every row; the values of
   * `options.digestKeys` (a subset of `keys`) make each row's {@link RowScanner.digest}.
   */
  constructor(keys: readonly K[], options: RowScannerOptions<K> = {}) {
    this.#keys = [...keys];
    this.#digested = new Uint8Array(this.#keys.length);
    for (const key of options.digestKeys ?? []) {
      const slot = this.#keys.indexOf(key);
      if (slot < 0) throw new Error(`RowScanner: digest key ${key} is not a key`);
      this.#digested[slot] = 1;
    }
    this.#keyBytes = this.#keys.map((key) => Buffer.from(key, 'latin1'));
    let size = 16;
    while (size < this.#keys.length * 4) size *= 2;
    this.#tableMask = size - 1;
    this.#table = new Int32Array(size * 2).fill(HASH_EMPTY);
    this.#keyBytes.forEach((bytes, slot) => {
      const hash = hashBytes(bytes, 0, bytes.length);
      let at = hash & this.#tableMask;
      while (this.#table[at * 2 + 1] !== HASH_EMPTY) {
        if (this.#table[at * 2] === hash)
          throw new Error(`RowScanner: hash collision on ${keys[slot]}`);
        at = (at + 1) & this.#tableMask;
      }
      this.#table[at * 2] = hash;
      this.#table[at * 2 + 1] = slot;
    });
    const record = {} as Record<K, unknown>;
    for (const key of this.#keys) record[key] = undefined;
    this.#record = record;
    this.#set = new Int32Array(this.#keys.length * 4 + 4);
  }

  /**
   * digest is a 53-bit fingerprint of the current row's digested members (read it inside
   * `onRow`): each such member's name and value bytes, exactly as sent, hashed and summed, so the
   * members' order and the whitespace between tokens do not change it, while any change of a
   * value's bytes does (two 32-bit hashes; rows that differ collide with a chance of about
   * 2^-53). A value written differently but equal (an escape, `1.0` for `1`) makes a different
   * digest: a digest never claims rows equal that are not.
   */
  get digest(): number {
    return (this.#digestHigh >>> 0) * DIGEST_LOW_SPAN + (this.#digestLow >>> 11);
  }

  /**
   * scan calls `onRow` with every row of `{"data":[…]}` in `bytes` (UTF-8), in order. The record
   * it is given is reused for the next row: read it at once, keep nothing of it. Returns false
   * (possibly after some rows were handed over) when the answer is not in the subset described
   * above; exceptions thrown by `onRow` propagate.
   */
  scan(
    bytes: Uint8Array,
    onRow: (row: Readonly<Record<K, unknown>>, index: number) => void,
  ): boolean {
    this.#bytes = bytes;
    this.#buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as SliceableBuffer;
    this.#pos = 0;
    try {
      this.#expect(OPEN_BRACE);
      this.#expectDataKey();
      this.#expect(COLON);
      this.#expect(OPEN_BRACKET);
      if (this.#peek() === CLOSE_BRACKET) this.#pos++;
      else {
        for (let index = 0; ; index++) {
          this.#row();
          onRow(this.#record, index);
          const next = this.#next();
          if (next === CLOSE_BRACKET) break;
          if (next !== COMMA) return false;
        }
      }
      this.#expect(CLOSE_BRACE);
      this.#skipSpace();
      return this.#pos === bytes.length;
    } catch (err) {
      if (err === BAIL) return false;
      throw err;
    } finally {
      this.#clear();
      this.#bytes = new Uint8Array(0);
      this.#buffer = Buffer.alloc(0) as SliceableBuffer;
    }
  }

  /** #row reads one `{…}` into the record. */
  #row(): void {
    this.#clear();
    this.#expect(OPEN_BRACE);
    if (this.#peek() === CLOSE_BRACE) {
      this.#pos++;
      return;
    }
    for (;;) {
      this.#expect(QUOTE);
      const slot = this.#memberSlot();
      this.#expect(COLON);
      this.#skipSpace();
      const from = this.#pos;
      const value = this.#value();
      if (slot >= 0) {
        this.#record[this.#keys[slot]!] = value;
        if (this.#setCount === this.#set.length) throw BAIL;
        this.#set[this.#setCount++] = slot;
        if (this.#digested[slot] === 1) this.#addToDigest(slot, from, this.#pos);
      }
      const next = this.#next();
      if (next === CLOSE_BRACE) return;
      if (next !== COMMA) throw BAIL;
      this.#skipSpace();
    }
  }

  #clear(): void {
    for (let i = 0; i < this.#setCount; i++) this.#record[this.#keys[this.#set[i]!]!] = undefined;
    this.#setCount = 0;
    this.#digestHigh = 0;
    this.#digestLow = 0;
  }

  /** #addToDigest adds member `slot` with the value bytes [from, to) to the row's digest. */
  #addToDigest(slot: number, from: number, to: number): void {
    const bytes = this.#bytes;
    let high = Math.imul(slot + 1, GOLDEN_32) ^ HASH_SEED;
    let low = Math.imul(slot + 1, MURMUR_C1) ^ LOW_SEED;
    for (let i = from; i < to; i++) {
      const c = bytes[i]!;
      high = Math.imul(high ^ c, HASH_PRIME);
      low = Math.imul(low ^ c, MURMUR_M);
      low ^= low >>> 15;
    }
    // Summed (commutative), so the members' order does not matter; each hash is finalised first
    // so that similar values do not cancel out.
    this.#digestHigh = (this.#digestHigh + finalMix(high)) | 0;
    this.#digestLow = (this.#digestLow + finalMix(low ^ (to - from))) | 0;
  }

  /** #memberSlot reads a member name (after its opening quote): its slot, or -1 if not read. */
  #memberSlot(): number {
    const bytes = this.#bytes;
    const start = this.#pos;
    let hash = HASH_SEED;
    let i = start;
    for (; i < bytes.length; i++) {
      const c = bytes[i]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 0x20) throw BAIL;
      hash = Math.imul(hash ^ c, HASH_PRIME);
    }
    if (i >= bytes.length) throw BAIL;
    this.#pos = i + 1;
    const table = this.#table;
    let at = hash & this.#tableMask;
    let slot = table[at * 2 + 1]!;
    while (slot !== HASH_EMPTY && table[at * 2] !== hash) {
      at = (at + 1) & this.#tableMask;
      slot = table[at * 2 + 1]!;
    }
    if (slot === HASH_EMPTY) return -1;
    const key = this.#keyBytes[slot]!;
    if (key.length !== i - start) return -1;
    for (let k = 0; k < key.length; k++) if (bytes[start + k] !== key[k]) return -1;
    return slot;
  }

  /** #value reads a scalar. */
  #value(): string | number | boolean | null {
    const c = this.#next();
    if (c === QUOTE) return this.#string();
    if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) return this.#number(c);
    if (c === LETTER_T) return this.#literal(TRUE_TAIL, true);
    if (c === LETTER_F) return this.#literal(FALSE_TAIL, false);
    if (c === LETTER_N) return this.#literal(NULL_TAIL, null);
    throw BAIL;
  }

  /**
   * #string reads a string (after its opening quote). A short ASCII value that a recent row had
   * too (a type, status, node, pool or tag list — and names, while they fit the cache) is
   * returned as the string made then: a poll allocates strings only for what is new to it, and
   * those copies are shared with the states that keep them.
   */
  #string(): string {
    const bytes = this.#bytes;
    const start = this.#pos;
    let ascii = true;
    let escaped = false;
    let hash = HASH_SEED;
    let i = start;
    for (; i < bytes.length; i++) {
      const c = bytes[i]!;
      if (c === QUOTE) break;
      if (c < 0x20) throw BAIL;
      if (c === BACKSLASH) {
        escaped = true;
        i++;
      } else if (c >= 0x80) ascii = false;
      hash = Math.imul(hash ^ c, HASH_PRIME);
    }
    if (i >= bytes.length) throw BAIL;
    this.#pos = i + 1;
    if (escaped) return parseJsonString(this.#buffer.utf8Slice(start - 1, i + 1));
    if (!ascii) return this.#buffer.utf8Slice(start, i);
    if (i - start > CACHED_STRING_LENGTH) return this.#buffer.latin1Slice(start, i);
    const at = hash & (STRING_CACHE_SIZE - 1);
    const cached = this.#strings[at];
    if (cached !== undefined && sameAscii(cached, bytes, start, i)) return cached;
    const value = this.#buffer.latin1Slice(start, i);
    this.#strings[at] = value;
    return value;
  }

  /** #number reads a number whose first byte `first` was consumed. */
  #number(first: number): number {
    const bytes = this.#bytes;
    const start = this.#pos - 1;
    let i = this.#pos;
    let c = first;
    const negative = c === MINUS;
    if (negative) c = i < bytes.length ? bytes[i++]! : -1;
    if (c < DIGIT_0 || c > DIGIT_9) throw BAIL;
    // The digits as an exact integer while they fit in 15 (< 2^53), else the text is converted.
    let mantissa = c - DIGIT_0;
    let digits = mantissa === 0 ? 0 : 1;
    if (c === DIGIT_0) {
      if (i < bytes.length && bytes[i]! >= DIGIT_0 && bytes[i]! <= DIGIT_9) throw BAIL;
    } else {
      while (i < bytes.length && bytes[i]! >= DIGIT_0 && bytes[i]! <= DIGIT_9) {
        mantissa = mantissa * 10 + (bytes[i++]! - DIGIT_0);
        digits++;
      }
    }
    let fraction = 0;
    if (i < bytes.length && bytes[i] === DOT) {
      i++;
      const from = i;
      while (i < bytes.length && bytes[i]! >= DIGIT_0 && bytes[i]! <= DIGIT_9) {
        mantissa = mantissa * 10 + (bytes[i++]! - DIGIT_0);
        if (mantissa !== 0) digits++;
      }
      fraction = i - from;
      if (fraction === 0) throw BAIL;
    }
    let exponent = false;
    if (i < bytes.length && (bytes[i] === LETTER_E || bytes[i] === LETTER_UPPER_E)) {
      exponent = true;
      i++;
      if (i < bytes.length && (bytes[i] === PLUS || bytes[i] === MINUS)) i++;
      const from = i;
      while (i < bytes.length && bytes[i]! >= DIGIT_0 && bytes[i]! <= DIGIT_9) i++;
      if (i === from) throw BAIL;
    }
    this.#pos = i;
    if (exponent || digits > 15 || fraction > 22) {
      return Number(this.#buffer.latin1Slice(start, i));
    }
    // Both operands are exact doubles, so one division rounds correctly, like JSON.parse.
    const value = fraction === 0 ? mantissa : mantissa / POWERS_OF_TEN[fraction]!;
    return negative ? -value : value;
  }

  #literal(tail: readonly number[], value: boolean | null): boolean | null {
    const bytes = this.#bytes;
    for (const expected of tail) if (bytes[this.#pos++] !== expected) throw BAIL;
    return value;
  }

  /** #expectDataKey reads the envelope's only member name, `"data"`. */
  #expectDataKey(): void {
    this.#expect(QUOTE);
    for (const expected of DATA_TAIL) if (this.#bytes[this.#pos++] !== expected) throw BAIL;
  }

  #expect(byte: number): void {
    if (this.#next() !== byte) throw BAIL;
  }

  /** #next skips whitespace and consumes the next byte (-1 at the end). */
  #next(): number {
    this.#skipSpace();
    return this.#pos < this.#bytes.length ? this.#bytes[this.#pos++]! : -1;
  }

  #peek(): number {
    this.#skipSpace();
    return this.#pos < this.#bytes.length ? this.#bytes[this.#pos]! : -1;
  }

  #skipSpace(): void {
    const bytes = this.#bytes;
    let i = this.#pos;
    while (i < bytes.length) {
      const c = bytes[i]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    this.#pos = i;
  }
}

/**
 * SliceableBuffer exposes Buffer's bounds-checked decoders behind `toString(encoding, start,
 * end)` (undici reads bodies with them too): a string per member value makes the wrapper's
 * argument handling a measurable part of a scan.
 */
type SliceableBuffer = Buffer & {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
};

/** Entries of the string cache (a power of two) and the longest value it keeps. */
const STRING_CACHE_SIZE = 4096;
const CACHED_STRING_LENGTH = 40;

/** sameAscii tells whether `value` is the ASCII text of bytes[start, end). */
function sameAscii(value: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (value.length !== end - start) return false;
  for (let k = 0; k < value.length; k++) if (value.charCodeAt(k) !== bytes[start + k]) return false;
  return true;
}

/** RowScannerOptions configure a RowScanner. */
export interface RowScannerOptions<K extends string> {
  /** The members whose values make each row's digest. @default none (the digest is 0) */
  digestKeys?: readonly K[];
}

/** The digest's low part keeps 21 bits: 32 + 21 = 53, the integers a double holds exactly. */
const DIGEST_LOW_SPAN = 2 ** 21;
const GOLDEN_32 = 0x9e3779b1 | 0;
const MURMUR_C1 = 0xcc9e2d51 | 0;
const MURMUR_M = 0x5bd1e995 | 0;
const LOW_SEED = 0x27d4eb2f | 0;

/** finalMix is MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
function finalMix(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** HASH_EMPTY marks a free slot of the member-name table. */
const HASH_EMPTY = -1;

/** BAIL leaves a scan that met something outside the subset (caught in `scan`). */
const BAIL: unique symbol = Symbol('RowScanner.bail');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LETTER_E = 0x65;
const LETTER_UPPER_E = 0x45;
const LETTER_T = 0x74;
const LETTER_F = 0x66;
const LETTER_N = 0x6e;
const TRUE_TAIL = [...Buffer.from('rue')];
const FALSE_TAIL = [...Buffer.from('alse')];
const NULL_TAIL = [...Buffer.from('ull')];
/** `data"` after the opening quote of the envelope's member name. */
const DATA_TAIL = [...Buffer.from('data"')];
/** 1e0 … 1e22: the powers of ten a double holds exactly (parsed, so each is correctly rounded). */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const HASH_SEED = 2166136261 | 0;
const HASH_PRIME = 16777619;

function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let hash = HASH_SEED;
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ bytes[i]!, HASH_PRIME);
  return hash;
}

/** parseJsonString decodes a quoted JSON string with escapes; an invalid one bails. */
function parseJsonString(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    throw BAIL;
  }
}
