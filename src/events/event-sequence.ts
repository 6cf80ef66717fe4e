import { InputError } from '../lib/expected-error.js';

/** MAX_SEQUENCE is the largest value a `bigserial` can take (2^63 - 1). */
const MAX_SEQUENCE = 9_223_372_036_854_775_807n;

/**
 * parseSequence reads an event sequence a client sent (`after`): the decimal string of an
 * integer from 0 to 2^63 - 1. It returns it normalised (no leading zeros, so two sequences
 * compare with {@link compareSequences}) and throws an `InputError` (`BAD_USER_INPUT`, naming
 * `field`) for anything else. Sequences stay strings: a JavaScript number loses precision above
 * 2^53.
 */
export function parseSequence(text: string, field = 'after'): string {
  const trimmed = text.trim();
  if (!/^\d{1,19}$/.test(trimmed) || BigInt(trimmed) > MAX_SEQUENCE) {
    throw new InputError([
      {
        field,
        message: `'${text.slice(0, 40)}' is not an event sequence (a decimal integer from 0 to ${MAX_SEQUENCE})`,
      },
    ]);
  }
  return BigInt(trimmed).toString();
}

/**
 * compareSequences orders two normalised decimal sequences numerically (negative, zero or
 * positive, like a sort comparator) without converting them: a shorter string is a smaller number.
 */
export function compareSequences(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** previousSequence is `sequence - 1` (never below 0), as a normalised decimal string. */
export function previousSequence(sequence: string): string {
  const value = BigInt(sequence);
  return (value > 0n ? value - 1n : 0n).toString();
}
