/**
 * GuardVerdict is what the guard decided about one list: `apply` it as listed, or `hold` the
 * deletions (the caller keeps the missing objects for now).
 */
export type GuardVerdict =
  | { action: 'apply' }
  | { action: 'hold'; missing: string[]; known: number; seen: number; needed: number };

/**
 * MassDeletionGuard protects one kind of object of one cluster from a list that would delete
 * more than half of what is known, or all of it (DESIGN §3): PVE answers 200 with an empty or
 * shortened list when a token loses its privileges. Such a list is held, and applied only once
 * `confirmations` further polls have shown the same deletions. Ordinary deletions (less than
 * half, and not everything) pass at once. The generic informer keeps client-go's semantics; this
 * guard sits in front of it.
 */
export class MassDeletionGuard {
  readonly #confirmations: number;
  #pending: { missing: Set<string>; seen: number } | undefined;

  /** @param confirmations further polls that must confirm a mass deletion (0 = no guard) */
  constructor(confirmations: number) {
    this.#confirmations = confirmations;
  }

  /** isHolding tells whether a mass deletion is waiting for confirmation. */
  get isHolding(): boolean {
    return this.#pending !== undefined;
  }

  /**
   * check judges a successful list: `knownKeys` are the objects known now, `listedKeys` those in
   * the new list.
   */
  check(knownKeys: Iterable<string>, listedKeys: ReadonlySet<string>): GuardVerdict {
    const known = [...knownKeys];
    const missing = known.filter((key) => !listedKeys.has(key));
    const massive =
      missing.length > 0 && (missing.length === known.length || missing.length * 2 > known.length);
    if (!massive || this.#confirmations === 0) {
      this.#pending = undefined;
      return { action: 'apply' };
    }
    const pending = this.#pending;
    // The same objects (or a subset of them) missing again confirms; anything else starts over.
    const confirms = pending !== undefined && missing.every((key) => pending.missing.has(key));
    const seen = confirms ? pending.seen + 1 : 1;
    if (seen > this.#confirmations) {
      this.#pending = undefined;
      return { action: 'apply' };
    }
    this.#pending = { missing: new Set(missing), seen };
    return { action: 'hold', missing, known: known.length, seen, needed: this.#confirmations + 1 };
  }
}

/** GuardedList is a list after the guard: what to push, and the verdict when deletions were held. */
export interface GuardedList<S> {
  list: S[];
  held: Extract<GuardVerdict, { action: 'hold' }> | undefined;
}

/**
 * guardList applies a guard to a listed kind: when the guard holds, the missing known objects
 * are pushed along with the list, so nothing is deleted yet.
 */
export function guardList<S extends { key: string }>(
  guard: MassDeletionGuard,
  known: readonly S[],
  listed: S[],
): GuardedList<S> {
  const verdict = guard.check(
    known.map((s) => s.key),
    new Set(listed.map((s) => s.key)),
  );
  if (verdict.action === 'apply') return { list: listed, held: undefined };
  const missing = new Set(verdict.missing);
  return { list: [...listed, ...known.filter((s) => missing.has(s.key))], held: verdict };
}
