import { timingSafeEqual } from 'node:crypto';
import { ExpectedError } from '../lib/expected-error.js';

/**
 * Principal is who sent an operation: `admin` (the admin token: everything), `reader` (the read
 * token: queries and subscriptions) or `anonymous` (no token).
 */
export interface Principal {
  kind: 'admin' | 'reader' | 'anonymous';
}

/** AccessTokens are the configured bearer tokens; an unset token leaves that access open. */
export interface AccessTokens {
  adminToken: string | undefined;
  readToken: string | undefined;
}

/** unauthenticated is the one error for a missing or wrong credential, on every transport. */
export function unauthenticated(reason: string): ExpectedError {
  return new ExpectedError('UNAUTHENTICATED', reason);
}

function same(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * resolvePrincipal maps an `Authorization` value (`Bearer <token>`, from a header or from
 * graphql-ws `connectionParams`) to a principal. A credential that is presented but matches no
 * configured token is rejected with `UNAUTHENTICATED`, even where none is required: a client
 * with a wrong token should learn it at once.
 */
export function resolvePrincipal(
  authorization: string | undefined,
  tokens: AccessTokens,
): Principal {
  if (authorization === undefined || authorization.trim() === '') return { kind: 'anonymous' };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
  if (!match) throw unauthenticated('the Authorization value must be "Bearer <token>"');
  const token = match[1]!;
  if (tokens.adminToken !== undefined && same(token, tokens.adminToken)) return { kind: 'admin' };
  if (tokens.readToken !== undefined && same(token, tokens.readToken)) return { kind: 'reader' };
  throw unauthenticated('the bearer token is not valid');
}

/**
 * authorizeOperation throws `UNAUTHENTICATED` unless the principal may run an operation of this
 * type: mutations need the admin token when one is configured; everything else (and mutations
 * when only a read token is configured) needs the read or admin token when a read token is
 * configured. With no tokens at all, the server only listens on loopback (see config).
 */
export function authorizeOperation(
  operation: 'query' | 'mutation' | 'subscription',
  principal: Principal,
  tokens: AccessTokens,
): void {
  if (principal.kind === 'admin') return;
  if (operation === 'mutation' && tokens.adminToken !== undefined) {
    throw unauthenticated('mutations need the admin token (Authorization: Bearer <token>)');
  }
  if (tokens.readToken !== undefined && principal.kind !== 'reader') {
    const what = { query: 'queries', mutation: 'mutations', subscription: 'subscriptions' }[
      operation
    ];
    throw unauthenticated(`${what} need the read token (Authorization: Bearer <token>)`);
  }
}

/** creatorName is how a principal is recorded in `pve_cluster.creator` when the input names none. */
export function creatorName(principal: Principal): string {
  return principal.kind === 'admin' ? 'admin' : 'graphql';
}
