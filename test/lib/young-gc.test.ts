import { describe, expect, it } from 'vitest';
import { type NewSpaceUse, YoungGenerationCollector } from '../../src/lib/young-gc.js';

describe('YoungGenerationCollector', () => {
  it('collects the young generation at a quiet point only once it is a quarter full', () => {
    const calls: unknown[] = [];
    let use: NewSpaceUse = { used: 1, available: 99 };
    const collector = new YoungGenerationCollector({
      gc: (options) => calls.push(options),
      newSpace: () => use,
    });
    expect(collector.enabled).toBe(true);
    expect(collector.quietPoint()).toBe(false);
    use = { used: 24, available: 76 };
    expect(collector.quietPoint()).toBe(false);
    use = { used: 25, available: 75 };
    expect(collector.quietPoint()).toBe(true);
    expect(calls).toEqual([{ type: 'minor' }]);
    expect(collector.collections).toBe(1);
  });

  it('honours its fill fraction', () => {
    let collected = 0;
    const collector = new YoungGenerationCollector({
      gc: () => collected++,
      fillFraction: 0.5,
      newSpace: () => ({ used: 40, available: 60 }),
    });
    collector.quietPoint();
    expect(collected).toBe(0);
  });

  it('does nothing without V8 gc (node without --expose-gc)', () => {
    const collector = new YoungGenerationCollector({
      gc: null,
      newSpace: () => ({ used: 100, available: 0 }),
    });
    expect(collector.enabled).toBe(false);
    expect(collector.quietPoint()).toBe(false);
    expect(collector.collections).toBe(0);
  });
});
