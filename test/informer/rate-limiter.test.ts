// A port of client-go util/workqueue/default_rate_limiters_test.go, plus the token bucket.
import { describe, expect, it } from 'vitest';
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialFailureRateLimiter,
  ItemFastSlowRateLimiter,
  MaxOfRateLimiter,
  type RateLimiter,
} from '../../src/informer/rate-limiter.js';
import { FakeClock } from '../../src/lib/clock.js';

/**
 * expectStreaks checks client-go's per-item pattern: `one` fails len(oneDelays) times, `two`
 * len(twoDelays) times, each counting its own streak; forget('one') restarts one's streak.
 */
function expectStreaks(limiter: RateLimiter, oneDelays: number[], twoDelays: number[]): void {
  expect(oneDelays.map(() => limiter.when('one'))).toEqual(oneDelays);
  expect(limiter.numRequeues('one')).toBe(oneDelays.length);
  expect(twoDelays.map(() => limiter.when('two'))).toEqual(twoDelays);
  expect(limiter.numRequeues('two')).toBe(twoDelays.length);
  limiter.forget('one');
  expect(limiter.numRequeues('one')).toBe(0);
  expect(limiter.when('one')).toBe(oneDelays[0]);
}

describe('rate limiters', () => {
  it('TestItemExponentialFailureRateLimiter: doubles per item, forget() restarts', () => {
    expectStreaks(new ItemExponentialFailureRateLimiter(1, 1_000), [1, 2, 4, 8, 16], [1, 2]);
  });

  it('TestItemExponentialFailureRateLimiterOverFlow: caps instead of overflowing', () => {
    const limiter = new ItemExponentialFailureRateLimiter(1, 1_000_000);
    for (let i = 0; i < 5; i++) limiter.when('one');
    expect(limiter.when('one')).toBe(32);
    for (let i = 0; i < 1_000; i++) limiter.when('overflow1');
    expect(limiter.when('overflow1')).toBe(1_000_000);

    const minutes = new ItemExponentialFailureRateLimiter(60_000, 1_000 * 3_600_000);
    minutes.when('two');
    minutes.when('two');
    expect(minutes.when('two')).toBe(4 * 60_000);
    for (let i = 0; i < 1_000; i++) minutes.when('overflow2');
    expect(minutes.when('overflow2')).toBe(1_000 * 3_600_000);
  });

  it('TestItemFastSlowRateLimiter: fast for the first attempts, then slow', () => {
    expectStreaks(new ItemFastSlowRateLimiter(5, 10_000, 3), [5, 5, 5, 10_000, 10_000], [5, 5]);
  });

  it('TestMaxOfRateLimiter: the longest delay of all limiters', () => {
    const limiter = new MaxOfRateLimiter(
      new ItemFastSlowRateLimiter(5, 3_000, 3),
      new ItemExponentialFailureRateLimiter(1, 1_000),
    );
    expectStreaks(limiter, [5, 5, 5, 3_000, 3_000], [5, 5]);
  });

  it('BucketRateLimiter: a full burst, then one token per 1/qps, refilled over time', async () => {
    const clock = new FakeClock();
    const limiter = new BucketRateLimiter(10, 3, clock);
    expect([limiter.when('a'), limiter.when('b'), limiter.when('c')]).toEqual([0, 0, 0]);
    expect(limiter.when('d')).toBeCloseTo(100);
    expect(limiter.when('e')).toBeCloseTo(200);
    await clock.advance(1_000);
    // 10 tokens accrued minus the 2 borrowed, capped at the burst of 3.
    expect([limiter.when('f'), limiter.when('g'), limiter.when('h')]).toEqual([0, 0, 0]);
    expect(limiter.when('i')).toBeCloseTo(100);
  });

  it('defaultControllerRateLimiter: 5 ms doubling per item, within 10 qps / 100 burst overall', () => {
    const limiter = defaultControllerRateLimiter(new FakeClock());
    expect([limiter.when('k'), limiter.when('k'), limiter.when('k')]).toEqual([5, 10, 20]);
    for (let i = 0; i < 97; i++) limiter.when(`other${i}`);
    expect(limiter.when('fresh')).toBeCloseTo(100); // the 101st token waits 0.1 s
  });
});
