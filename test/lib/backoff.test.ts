import { describe, expect, it } from 'vitest';
import { Backoff, exponentialDelay, jitter } from '../../src/lib/backoff.js';
import { FakeClock } from '../../src/lib/clock.js';

describe('exponentialDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    const options = { initialMs: 800, factor: 2, maxMs: 30_000 };
    const delays = Array.from({ length: 8 }, (_, attempt) => exponentialDelay(attempt, options));
    expect(delays).toEqual([800, 1_600, 3_200, 6_400, 12_800, 25_600, 30_000, 30_000]);
  });

  it('returns the cap instead of overflowing', () => {
    expect(exponentialDelay(5_000, { initialMs: 1, factor: 2, maxMs: 1_000_000 })).toBe(1_000_000);
  });
});

describe('jitter', () => {
  it('stretches a delay by up to maxFactor of itself', () => {
    expect(jitter(1_000, 1, () => 0)).toBe(1_000);
    expect(jitter(1_000, 1, () => 0.5)).toBe(1_500);
    expect(jitter(1_000, 0.5, () => 0.999)).toBeLessThan(1_500);
  });

  it('treats a non-positive factor as 1, like wait.Jitter', () => {
    expect(jitter(1_000, 0, () => 0.5)).toBe(1_500);
  });
});

describe('Backoff', () => {
  it('has client-go reflector defaults: 0.8 s doubling to a 30 s cap, jitter in [d, 2d)', () => {
    const clock = new FakeClock();
    const low = new Backoff({ clock, random: () => 0 });
    expect(Array.from({ length: 8 }, () => low.next())).toEqual([
      800, 1_600, 3_200, 6_400, 12_800, 25_600, 30_000, 30_000,
    ]);
    const high = new Backoff({ clock, random: () => 0.999_999 });
    const delays = Array.from({ length: 8 }, () => high.next());
    expect(delays[0]).toBeGreaterThan(1_599);
    expect(delays[0]).toBeLessThan(1_600);
    expect(delays[7]).toBeGreaterThan(59_999); // "[30,60) sec interval"
    expect(delays[7]).toBeLessThan(60_000);
  });

  it('starts again from the initial delay after 2 minutes without backoff', async () => {
    const clock = new FakeClock();
    const backoff = new Backoff({ clock, jitter: 0 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([800, 1_600, 3_200]);
    await clock.advance(120_000); // exactly 2 minutes: not more than resetAfterMs
    expect(backoff.next()).toBe(6_400);
    await clock.advance(120_001);
    expect(backoff.next()).toBe(800);
    expect(backoff.next()).toBe(1_600);
  });

  it('reset() restarts the sequence', () => {
    const backoff = new Backoff({ clock: new FakeClock(), jitter: 0 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(800);
  });

  it('wait() sleeps for the next delay on its clock, and ends early on abort', async () => {
    const clock = new FakeClock();
    const backoff = new Backoff({ clock, jitter: 0 });
    let woke = false;
    const waiting = backoff.wait().then(() => {
      woke = true;
    });
    await clock.advance(799);
    expect(woke).toBe(false);
    await clock.advance(1);
    await waiting;
    expect(woke).toBe(true);

    const controller = new AbortController();
    const aborted = backoff.wait(controller.signal);
    controller.abort();
    await aborted;
    expect(clock.pendingTimers).toBe(0);
  });
});
