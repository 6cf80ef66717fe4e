import { describe, expect, it } from 'vitest';
import { StringPool } from '../../src/lib/string-pool.js';

/** copyOf makes a distinct string object with the same value (as parsing does). */
const copyOf = (value: string) => JSON.parse(JSON.stringify(value)) as string;

describe('StringPool', () => {
  it('keeps one entry per distinct value and returns values unchanged', () => {
    // (Which copy is returned cannot be observed from JavaScript; the memory it saves is
    // measured by test/inventory/memory-per-guest.script.ts.)
    const pool = new StringPool();
    for (const value of ['pve-node-1', 'pve-node-1', 'running', 'pve-node-1', 'running']) {
      expect(pool.intern(copyOf(value))).toBe(value);
    }
    expect(pool.intern(null)).toBeNull();
    expect(pool.size).toBe(2);
  });

  it('hands out one frozen copy of each distinct list, its strings pooled', () => {
    const pool = new StringPool();
    const first = pool.internList(['prod', 'web']);
    const again = pool.internList([copyOf('prod'), copyOf('web')]);
    expect(again).toBe(first);
    expect(first).toEqual(['prod', 'web']);
    expect(Object.isFrozen(first)).toBe(true);
    expect(pool.size).toBe(2);
    expect(pool.internList(['web', 'prod'])).not.toBe(first);
    // Lists a plain join would run together stay apart.
    expect(pool.internList(['prod,web'])).toEqual(['prod,web']);
    expect(pool.internList([])).toBe(pool.internList([]));
  });

  it('does not keep the array it was given', () => {
    const pool = new StringPool();
    const given = ['prod'];
    const pooled = pool.internList(given);
    expect(pooled).not.toBe(given);
    given.push('changed');
    expect(pool.internList(['prod'])).toEqual(['prod']);
  });

  it('stays bounded: long strings and strings past the limit are not kept', () => {
    const pool = new StringPool(2, 8);
    expect(pool.intern('a-very-long-string')).toBe('a-very-long-string');
    pool.intern('one');
    pool.intern('two');
    pool.intern('three');
    expect(pool.size).toBe(2);
    const three = copyOf('three');
    expect(pool.intern(three)).toBe(three);
  });

  it('stays bounded for lists too: long lists and lists past the limit are not kept', () => {
    const pool = new StringPool(2, 4);
    const long = ['abcdefgh', 'ijklmnop'];
    expect(pool.internList(long)).toEqual(long);
    expect(pool.internList(long)).not.toBe(pool.internList(long));
    pool.internList(['a']);
    pool.internList(['b']);
    const third = pool.internList(['c']);
    expect(third).toEqual(['c']);
    expect(Object.isFrozen(third)).toBe(true);
    expect(pool.internList(['c'])).not.toBe(third);
    expect(pool.internList(['a'])).toBe(pool.internList(['a']));
  });
});
