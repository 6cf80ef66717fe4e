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

  it('interns the elements of an array in place', () => {
    const pool = new StringPool();
    const tags = ['prod', 'web'];
    const again = [copyOf('prod'), copyOf('web')];
    pool.internAll(tags);
    expect(pool.internAll(again)).toBe(again);
    expect(again).toEqual(['prod', 'web']);
    expect(pool.size).toBe(2);
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
});
