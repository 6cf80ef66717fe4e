import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/simulator/prng.js';

describe('Prng', () => {
  it('repeats the same sequence for the same seed and differs for another seed', () => {
    const draw = (seed: number) => {
      const prng = new Prng(seed);
      return Array.from({ length: 8 }, () => prng.nextUint32());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it('forks streams from the seed, not from the current position', () => {
    const a = new Prng(5);
    const b = new Prng(5);
    b.next();
    b.next();
    expect(a.fork('x').next()).toBe(b.fork('x').next());
    expect(a.fork('x').next()).not.toBe(a.fork('y').next());
  });

  it('draws ints within bounds and picks by weight', () => {
    const p = new Prng('bounds');
    for (let i = 0; i < 1000; i++) {
      const n = p.int(3, 7);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(7);
    }
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 2000; i++)
      counts[
        p.weighted([
          ['a', 9],
          ['b', 1],
        ] as const)
      ]++;
    expect(counts.a).toBeGreaterThan(counts.b * 5);
  });
});
