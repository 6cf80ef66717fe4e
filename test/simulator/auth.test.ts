import { describe, expect, it } from 'vitest';
import { authenticate } from '../../src/simulator/auth.js';
import type { SimToken } from '../../src/simulator/model/types.js';

const token: SimToken = {
  tokenId: 'sync@pve!inv',
  secret: '5f0c3a1e-1111-4222-8333-944445555666',
  revoked: false,
  acl: [],
  initialAcl: [],
};
const tokens = new Map([[token.tokenId, token]]);
const now = 1_800_000_000;

describe('authenticate follows pveproxy and verify_token (API.md §2)', () => {
  it('accepts PVEAPIToken=<user@realm!name>=<secret>', () => {
    expect(
      authenticate(`PVEAPIToken=${token.tokenId}=${token.secret}`, undefined, tokens, now).ok,
    ).toBe(true);
  });

  it('accepts the space form and URI-escaped values', () => {
    expect(
      authenticate(`PVEAPIToken ${token.tokenId}=${token.secret}`, undefined, tokens, now).ok,
    ).toBe(true);
    const escaped = `PVEAPIToken=${encodeURIComponent(token.tokenId)}=${token.secret}`;
    expect(authenticate(escaped, undefined, tokens, now).ok).toBe(true);
  });

  it('splits at the LAST "=": a secret containing "=" is not accepted as a split point', () => {
    const weird: SimToken = { ...token, tokenId: 'a@pve!bb', secret: 'x' };
    const map = new Map([[weird.tokenId, weird]]);
    expect(authenticate('PVEAPIToken=a@pve!bb=x', undefined, map, now).ok).toBe(true);
    // "a@pve!bb=x=y": the token id becomes "a@pve!bb=x", which is not a valid token id.
    expect(authenticate('PVEAPIToken=a@pve!bb=x=y', undefined, map, now)).toEqual({
      ok: false,
      reason: 'Authentication failed!',
    });
  });

  it('rejects the seed-style header without !TOKENID', () => {
    expect(authenticate(`PVEAPIToken=sync@pve=${token.secret}`, undefined, tokens, now)).toEqual({
      ok: false,
      reason: 'Authentication failed!',
    });
  });

  it('answers No ticket without any credential and Authentication failed! for a wrong one', () => {
    expect(authenticate(undefined, undefined, tokens, now)).toEqual({
      ok: false,
      reason: 'No ticket',
    });
    expect(authenticate('Bearer abc', undefined, tokens, now)).toEqual({
      ok: false,
      reason: 'No ticket',
    });
    expect(authenticate(`PVEAPIToken=${token.tokenId}=nope`, undefined, tokens, now)).toEqual({
      ok: false,
      reason: 'Authentication failed!',
    });
    expect(authenticate(`PVEAPIToken=other@pve!x=${token.secret}`, undefined, tokens, now).ok).toBe(
      false,
    );
  });

  it('lets a ticket cookie take precedence over the token (and fails it)', () => {
    const header = `PVEAPIToken=${token.tokenId}=${token.secret}`;
    expect(authenticate(header, 'PVEAuthCookie=PVE:root@pam:00', tokens, now).ok).toBe(false);
  });

  it('rejects revoked and expired tokens', () => {
    const header = `PVEAPIToken=${token.tokenId}=${token.secret}`;
    expect(
      authenticate(header, undefined, new Map([[token.tokenId, { ...token, revoked: true }]]), now)
        .ok,
    ).toBe(false);
    expect(
      authenticate(
        header,
        undefined,
        new Map([[token.tokenId, { ...token, expire: now - 1 }]]),
        now,
      ).ok,
    ).toBe(false);
    expect(
      authenticate(
        header,
        undefined,
        new Map([[token.tokenId, { ...token, expire: now + 60 }]]),
        now,
      ).ok,
    ).toBe(true);
  });
});
