import { timingSafeEqual } from 'node:crypto';
import type { SimToken } from './model/types.js';

/** AuthOutcome is the result of checking a request's credentials. */
export type AuthOutcome =
  | { ok: true; token: SimToken }
  | { ok: false; reason: 'No ticket' | 'Authentication failed!' };

const TOKEN_HEADER_RE = /(?:^|\s)PVEAPIToken(?:=| )([^;]*)/;
/** TOKEN_ID_RE is the shape PVE requires of an API token id (`user@realm!name`). */
export const TOKEN_ID_RE = /^[^\s:@!]+@[A-Za-z][A-Za-z0-9.\-_]+![A-Za-z][A-Za-z0-9.\-_]+$/;

/**
 * authenticate checks credentials the way pveproxy does (API.md §2): a ticket cookie takes
 * precedence (the simulator issues no tickets, so any ticket fails); otherwise the
 * `PVEAPIToken=<user@realm!name>=<secret>` value (also `PVEAPIToken <…>`) is URI-unescaped and
 * split at its LAST `=`; the token id must be `user@realm!name`, exist, not be revoked or
 * expired, and the secret must match. No credentials at all → `No ticket`; anything else wrong →
 * `Authentication failed!` (pve-manager ≥ 9.1.5 hides the detail).
 */
export function authenticate(
  authorization: string | undefined,
  cookie: string | undefined,
  tokens: ReadonlyMap<string, SimToken>,
  nowSeconds: number,
): AuthOutcome {
  if (hasTicket(cookie) || hasTicket(authorization)) {
    return { ok: false, reason: 'Authentication failed!' };
  }
  const match = authorization ? TOKEN_HEADER_RE.exec(authorization) : null;
  if (!match) return { ok: false, reason: 'No ticket' };
  const value = uriUnescape(match[1] ?? '');
  const split = /^(.*)=(.*)$/s.exec(value);
  if (!split) return { ok: false, reason: 'Authentication failed!' };
  const [, tokenId = '', secret = ''] = split;
  if (!TOKEN_ID_RE.test(tokenId)) return { ok: false, reason: 'Authentication failed!' };
  const token = tokens.get(tokenId);
  if (!token || token.revoked) return { ok: false, reason: 'Authentication failed!' };
  if (token.expire && token.expire <= nowSeconds) {
    return { ok: false, reason: 'Authentication failed!' };
  }
  if (!sameSecret(secret, token.secret)) return { ok: false, reason: 'Authentication failed!' };
  return { ok: true, token };
}

function hasTicket(header: string | undefined): boolean {
  return header !== undefined && /(?:^|[\s;])PVEAuthCookie=/.test(header);
}

function uriUnescape(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
