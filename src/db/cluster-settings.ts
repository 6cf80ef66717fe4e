import type { FieldProblem } from '../lib/expected-error.js';
import { isLoopbackHost } from '../lib/loopback.js';

/**
 * TOKEN_ID_RE matches a full PVE API token id, `user@realm!tokenname` (PVE's `pve-userid` and
 * token name formats). `user@realm` alone is a user, not a token, and real PVE rejects it.
 */
export const TOKEN_ID_RE = /^[^\s:/@!]+@[A-Za-z][A-Za-z0-9.\-_]+![A-Za-z][A-Za-z0-9.\-_]+$/;

/** FINGERPRINT_RE matches a SHA-256 fingerprint as PVE prints it: 32 hex bytes joined by `:`. */
export const FINGERPRINT_RE = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31}$/;

/** NAME_MAX is the longest cluster name (`pve_cluster.cluster_name` is varchar(64)). */
export const NAME_MAX = 64;

/** Result of checking one field: the normalised value, or what is wrong with it. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const fail = (message: string): Checked<never> => ({ ok: false, message });

/** checkName: 1–64 characters once trimmed, no control characters. */
export function checkName(input: string): Checked<string> {
  const value = input.trim();
  if (value.length === 0) return fail('must not be empty');
  if (value.length > NAME_MAX) return fail(`must be at most ${NAME_MAX} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters
  if (/[\u0000-\u001f\u007f]/.test(value)) return fail('must not contain control characters');
  return { ok: true, value };
}

/** checkText: optional free text with a maximum length (alias, env, creator). */
export function checkText(input: string, max: number): Checked<string> {
  const value = input.trim();
  if (value.length > max) return fail(`must be at most ${max} characters`);
  return { ok: true, value };
}

/**
 * checkApiUrl: an absolute http(s) URL with a host and nothing else, normalised to its origin
 * (`https://host:8006`). A trailing `/api2/json` is accepted and stripped; plain http is only
 * allowed to a loopback host, since the token travels in a header.
 */
export function checkApiUrl(input: string): Checked<string> {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return fail('must be an absolute URL such as https://pve.example.com:8006');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return fail(`must use https (got ${url.protocol.replace(/:$/, '')})`);
  }
  if (url.hostname === '') return fail('must name a host');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return fail('must use https: plain http is only allowed to a loopback host');
  }
  if (url.username !== '' || url.password !== '') {
    return fail('must not contain credentials; use tokenId and tokenSecret');
  }
  if (url.search !== '' || url.hash !== '') return fail('must not have a query or a fragment');
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== '' && path !== '/api2/json') {
    return fail('must be the server base URL (https://host:8006), optionally ending in /api2/json');
  }
  return { ok: true, value: url.origin };
}

/** checkTokenId: a full API token id `user@realm!name`. */
export function checkTokenId(input: string): Checked<string> {
  const value = input.trim();
  if (TOKEN_ID_RE.test(value)) return { ok: true, value };
  if (/^[^\s!]+@[^\s!]+$/.test(value)) {
    return fail(
      `'${value}' is a user, not an API token id: use the full token id user@realm!tokenname`,
    );
  }
  return fail('must be an API token id of the form user@realm!tokenname');
}

/** checkSecret: the token secret; non-empty, no whitespace, at most 512 characters. */
export function checkSecret(input: string): Checked<string> {
  if (input.length === 0 || input.trim().length === 0) return fail('must not be empty');
  if (/\s/.test(input)) return fail('must not contain whitespace');
  if (input.length > 512) return fail('must be at most 512 characters');
  return { ok: true, value: input };
}

/** checkFingerprint: a SHA-256 fingerprint `AA:BB:…` (32 bytes, any case), upper-cased. */
export function checkFingerprint(input: string): Checked<string> {
  const value = input.trim();
  if (!FINGERPRINT_RE.test(value)) {
    return fail(
      'must be a SHA-256 fingerprint: 32 hexadecimal bytes separated by colons (AA:BB:…)',
    );
  }
  return { ok: true, value: value.toUpperCase() };
}

/**
 * FieldChecker collects the problems of one input object, so that every invalid field is
 * reported at once and nothing is written when any is invalid.
 */
export class FieldChecker {
  readonly problems: FieldProblem[] = [];

  /** check returns the normalised value, or records the problem and returns undefined. */
  check<T>(field: string, result: Checked<T>): T | undefined {
    if (result.ok) return result.value;
    this.problems.push({ field, message: result.message });
    return undefined;
  }

  /** problem records a problem found outside a checker function. */
  problem(field: string, message: string): void {
    this.problems.push({ field, message });
  }
}

/** problemsOfStoredCluster lists what is wrong with a row's settings (for example inserted by SQL). */
export function problemsOfStoredCluster(row: {
  apiUrl: string;
  tokenId: string;
  tlsFingerprint?: string | null;
}): FieldProblem[] {
  const checker = new FieldChecker();
  checker.check('api_url', checkApiUrl(row.apiUrl));
  checker.check('user_id', checkTokenId(row.tokenId));
  if (row.tlsFingerprint) checker.check('tls_fingerprint', checkFingerprint(row.tlsFingerprint));
  return checker.problems;
}
