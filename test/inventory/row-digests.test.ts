import { describe, expect, it } from 'vitest';
import { RowDigests } from '../../src/inventory/row-digests.js';

/** remembering is a RowDigests that recorded one written cycle of `entries`. */
function remembering(entries: [string, number][]): RowDigests {
  const digests = new RowDigests();
  digests.remember(new Map(entries), []);
  return digests;
}

describe('RowDigests', () => {
  it('tells a digest only for guests the informer holds', () => {
    const digests = remembering([
      ['qemu/101', 11],
      ['lxc/200', 22],
    ]);
    const held = new Set(['qemu/101']);
    const lookup = digests.lookup((key) => held.has(key));
    expect(lookup('qemu', 101)).toBe(11);
    expect(lookup('lxc', 200)).toBeUndefined();
    expect(lookup('qemu', 999)).toBeUndefined();
  });

  it('replaces digests of rows read again and forgets deleted guests', () => {
    const digests = remembering([
      ['qemu/101', 11],
      ['qemu/102', 12],
    ]);
    digests.remember(new Map([['qemu/101', 99]]), ['qemu/102']);
    const lookup = digests.lookup(() => true);
    expect([lookup('qemu', 101), lookup('qemu', 102), digests.size]).toEqual([99, undefined, 1]);
  });

  it('forgets the digest of a guest read again without one (a parsed answer)', () => {
    const digests = remembering([['qemu/101', 11]]);
    digests.remember(new Map([['qemu/101', undefined]]), []);
    expect(digests.lookup(() => true)('qemu', 101)).toBeUndefined();
    expect(digests.size).toBe(0);
  });

  it('forgets everything on clear (after a failed cycle)', () => {
    const digests = remembering([['qemu/101', 11]]);
    digests.clear();
    expect(digests.lookup(() => true)('qemu', 101)).toBeUndefined();
    expect(digests.size).toBe(0);
  });
});
