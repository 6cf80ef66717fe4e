import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  isRetryable,
  PveAuthError,
  PveBadResponseError,
  PveNodeUnreachableError,
  PveServerError,
} from '../../src/proxmox/errors.js';
import { redactText, scrubError } from '../../src/proxmox/scrub.js';

describe('PVE error classes', () => {
  it.each([
    [500, false],
    [501, false],
    [502, true],
    [503, true],
    [504, true],
  ])('a PVE_SERVER error with HTTP %i is retryable: %s', (status, retryable) => {
    expect(new PveServerError('x', undefined, { status }).retryable).toBe(retryable);
  });

  it('tells retryable errors from the others by code', () => {
    expect(isRetryable(new PveNodeUnreachableError('x', { status: 595 }))).toBe(true);
    expect(isRetryable(new PveAuthError('x', { status: 401 }))).toBe(false);
    expect(isRetryable(new PveBadResponseError('x', '(body)'))).toBe(true);
    expect(isRetryable(new PveBadResponseError('x', 'data[0].vmid'))).toBe(false);
    expect(isRetryable(new Error('plain'))).toBe(false);
  });

  it('have a stable name per class', () => {
    expect(new PveAuthError('x').name).toBe('PveAuthError');
    expect(new PveAuthError('x').code).toBe('PVE_AUTH');
  });
});

describe('scrubError', () => {
  const secret = 'f00dfeed-0000-4000-8000-123456789abc';

  it('keeps name, message and diagnostic codes, redacted, and drops every other property', () => {
    const inner = Object.assign(
      new Error(`headers {"authorization":"PVEAPIToken=a@b!c=${secret}"}`),
      {
        code: 'UND_MOCK_ERR_MOCK_NOT_MATCHED',
        headers: { authorization: secret },
      },
    );
    const outer = Object.assign(new TypeError('fetch failed', { cause: inner }), {
      options: { secret },
      errno: -111,
      syscall: 'connect',
    });
    const scrubbed = scrubError(outer, [secret]);
    expect(inspect(scrubbed, { depth: 10, showHidden: true })).not.toContain(secret);
    expect(scrubbed).toMatchObject({
      name: 'TypeError',
      message: 'fetch failed',
      errno: -111,
      syscall: 'connect',
    });
    expect(scrubbed.cause).toMatchObject({ code: 'UND_MOCK_ERR_MOCK_NOT_MATCHED' });
    expect((scrubbed.cause as Error).message).toContain('[redacted]');
    expect(inspect(outer, { depth: 10 })).toContain(secret);
  });

  it('stops following causes after five levels', () => {
    let err: Error = new Error('level 0');
    for (let i = 1; i <= 10; i++) err = new Error(`level ${i}`, { cause: err });
    let depth = 0;
    for (let e: unknown = scrubError(err, []); e instanceof Error; e = e.cause) depth++;
    expect(depth).toBe(6);
  });

  it('redacts every occurrence of every secret', () => {
    expect(redactText('a s1 b s2 s1', ['s1', 's2'])).toBe('a [redacted] b [redacted] [redacted]');
  });
});
