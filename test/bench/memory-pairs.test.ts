import { describe, expect, it } from 'vitest';
import { memoryPairs, perGuestOfPairs } from '../../bench/support/measure-restart.js';

describe('memoryPairs', () => {
  it('averages more pairs of servers the fewer guests the second one adds: two to four', () => {
    expect(memoryPairs(5_000)).toBe(4);
    expect(memoryPairs(7_000)).toBe(3);
    expect(memoryPairs(10_000)).toBe(2);
    expect(memoryPairs(50_000)).toBe(2);
    expect(memoryPairs(30)).toBe(4);
    expect(memoryPairs(0)).toBe(4);
  });

  it('per pair, the difference per guest added', () => {
    const reading = (rss: number, guests: number) => ({ rss, guests }) as never;
    const pairs = [
      { first: reading(100 * 1024, 5), all: reading(110 * 1024, 10) },
      { first: reading(104 * 1024, 5), all: reading(109 * 1024, 10) },
    ];
    expect(perGuestOfPairs(pairs, (m) => (m as { rss: number }).rss / 1024)).toEqual([2, 1]);
  });
});
