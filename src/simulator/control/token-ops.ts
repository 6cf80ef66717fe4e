import { randomUUID } from 'node:crypto';
import { TOKEN_ID_RE } from '../auth.js';
import { SimulatorControlError } from '../control-error.js';
import type { ClusterState } from '../model/cluster-state.js';
import type { AclEntry, SimToken } from '../model/types.js';

/** TokenInfo is a view of a token without its secret. */
export interface TokenInfo {
  tokenId: string;
  revoked: boolean;
  expire?: number;
  acl: AclEntry[];
}

/** tokenInfo renders a token without its secret. */
export function tokenInfo(token: SimToken): TokenInfo {
  return {
    tokenId: token.tokenId,
    revoked: token.revoked,
    expire: token.expire,
    acl: cloneAcl(token.acl),
  };
}

/** addToken creates an API token (random UUID secret unless given); CONFLICT if it exists. */
export function addToken(
  state: ClusterState,
  spec: { tokenId: string; secret?: string; acl?: readonly AclEntry[]; expire?: number },
): SimToken {
  if (!TOKEN_ID_RE.test(spec.tokenId)) {
    throw new SimulatorControlError(
      'INVALID',
      `'${spec.tokenId}' is not a token id (user@realm!name)`,
    );
  }
  if (state.tokens.has(spec.tokenId)) {
    throw new SimulatorControlError('CONFLICT', `token '${spec.tokenId}' exists`);
  }
  const acl = validateAcl(spec.acl ?? []);
  const token: SimToken = {
    tokenId: spec.tokenId,
    secret: spec.secret ?? randomUUID(),
    revoked: false,
    expire: spec.expire,
    acl,
    initialAcl: cloneAcl(acl),
  };
  state.tokens.set(token.tokenId, token);
  return token;
}

/** requireToken returns the token or throws NOT_FOUND. */
export function requireToken(state: ClusterState, tokenId: string): SimToken {
  const token = state.tokens.get(tokenId);
  if (!token) throw new SimulatorControlError('NOT_FOUND', `no token '${tokenId}'`);
  return token;
}

/** setRevoked revokes (401 from then on) or restores a token. */
export function setRevoked(state: ClusterState, tokenId: string, revoked: boolean): void {
  requireToken(state, tokenId).revoked = revoked;
}

/**
 * setAcl replaces a token's ACL (`[]` = privilege loss: lists come back 200 but filtered);
 * `undefined` restores the ACL it was created with.
 */
export function setAcl(
  state: ClusterState,
  tokenId: string,
  acl: readonly AclEntry[] | undefined,
): void {
  const token = requireToken(state, tokenId);
  token.acl = acl === undefined ? cloneAcl(token.initialAcl) : validateAcl(acl);
}

function validateAcl(acl: readonly AclEntry[]): AclEntry[] {
  for (const entry of acl) {
    if (typeof entry.path !== 'string' || !entry.path.startsWith('/')) {
      throw new SimulatorControlError('INVALID', 'ACL paths start with /');
    }
    if (!Array.isArray(entry.privileges)) {
      throw new SimulatorControlError('INVALID', 'ACL privileges must be a list');
    }
  }
  return cloneAcl(acl);
}

function cloneAcl(acl: readonly AclEntry[]): AclEntry[] {
  return acl.map((entry) => ({ ...entry, privileges: [...entry.privileges] }));
}
