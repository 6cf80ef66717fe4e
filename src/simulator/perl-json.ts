import type { Shuffler } from './prng.js';

/**
 * RawJson is JSON text emitted verbatim: numbers whose wire text is fixed in advance (values real
 * PVE computes as Perl floating-point scalars, which JSON::XS prints with `%.15g`, so huge byte
 * counts come out as `3.47726673451418e+15`, API.md §1.2) and cached serialised rows.
 */
export class RawJson {
  /** RawJson keeps `text`, which must be valid JSON. */
  constructor(readonly text: string) {}
}

/** perlFloat wraps `value` so it is printed the way Perl prints a floating-point scalar. */
export function perlFloat(value: number): RawJson {
  return new RawJson(formatG15(value));
}

/**
 * formatG15 formats a number like C's `printf("%.15g")` (what JSON::XS uses for Perl NVs):
 * 15 significant digits, trailing zeros dropped, exponent form below 1e-4 and from 1e15 on.
 */
export function formatG15(value: number): string {
  if (!Number.isFinite(value)) return '0';
  if (value === 0) return '0';
  const [mantissa = '0', exponentText = '0'] = value.toExponential(14).split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 15) {
    const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    const sign = exponent < 0 ? '-' : '+';
    return `${trimmed}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = value.toFixed(Math.max(0, 14 - exponent));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/**
 * encodePerlJson serialises a value the way PVE's JSON formatter does (`to_json` of JSON::XS,
 * not canonical): object keys in a random order drawn from `order` (insertion order when no
 * shuffler is given), integers as integers, other numbers as `%.15g`, `undefined` members
 * omitted, `RawJson` emitted verbatim. Built for large answers (10,000-row lists).
 */
export function encodePerlJson(value: unknown, order?: Shuffler): string {
  return encode(value, order);
}

const quotedKeys = new Map<string, string>();

function encode(value: unknown, order: Shuffler | undefined): string {
  switch (typeof value) {
    case 'string':
      return needsEscape(value) ? JSON.stringify(value) : `"${value}"`;
    case 'number':
      return Number.isSafeInteger(value) ? `${value}` : formatFloat(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (value instanceof RawJson) return value.text;
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += encode(value[i], order);
        }
        return `${out}]`;
      }
      return encodeObject(value as Record<string, unknown>, order);
    default:
      return 'null';
  }
}

/** needsEscape tells whether a string has characters JSON must escape (quote, backslash, controls). */
function needsEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 32 || code === 34 || code === 92) return true;
  }
  return false;
}

function encodeObject(object: Record<string, unknown>, order: Shuffler | undefined): string {
  const keys = Object.keys(object);
  if (order) order.shuffle(keys);
  const members: string[] = [];
  for (const key of keys) {
    const member = object[key];
    if (member === undefined) continue;
    let quoted = quotedKeys.get(key);
    if (quoted === undefined) {
      quoted = `${JSON.stringify(key)}:`;
      if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
    }
    members.push(quoted + encode(member, order));
  }
  return `{${members.join(',')}}`;
}

/** formatFloat is formatG15 with a fast path for the common magnitudes (1e-4 ≤ |v| < 1e15). */
function formatFloat(value: number): string {
  const magnitude = Math.abs(value);
  if (!(magnitude >= 1e-4 && magnitude < 1e15)) return formatG15(value);
  const text = value.toPrecision(15);
  if (text.indexOf('.') < 0) return text;
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48) end--;
  if (text.charCodeAt(end - 1) === 46) end--;
  return text.slice(0, end);
}
