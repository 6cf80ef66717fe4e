import { PveInvalidArgumentError } from './errors.js';

/**
 * TOKEN_ID matches a full PVE API token id `user@realm!tokenname` (PVE's `pve-userid` and
 * `pve-tokenid` formats). `user@realm` alone (the seed-style id) is rejected: PVE answers it
 * with 401.
 */
export const TOKEN_ID = /^[^\s:/@!=]+@[A-Za-z][A-Za-z0-9.\-_]+![A-Za-z][A-Za-z0-9.\-_]+$/;

/** SECRET matches a usable token secret: printable ASCII without spaces or `=` (PVE splits on the last `=`). */
const SECRET = /^[\x21-\x3c\x3e-\x7e]+$/;

/**
 * tokenAuthorization validates an API token and returns the `Authorization` header value
 * `PVEAPIToken=<tokenId>=<secret>`. Throws PveInvalidArgumentError (argument `tokenId` or
 * `secret`) without repeating either value.
 */
export function tokenAuthorization(tokenId: string, secret: string): string {
  if (!TOKEN_ID.test(tokenId)) {
    throw new PveInvalidArgumentError(
      "tokenId must be a full API token id 'user@realm!tokenname'",
      'tokenId',
    );
  }
  if (!SECRET.test(secret)) {
    throw new PveInvalidArgumentError(
      'secret must be a non-empty token secret without spaces or "="',
      'secret',
    );
  }
  return `PVEAPIToken=${tokenId}=${secret}`;
}
