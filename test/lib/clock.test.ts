import { describe, expect, it } from 'vitest';
import { FakeClock, realClock } from '../../src/lib/clock.js';

describe('FakeClock', () => {
  it('stands still until advanced', async () => {
    const clock = new FakeClock({ startMs: 1_000 });
    let fired = false;
    clock.setTimer(10, () => {
      fired = true;
    });
    await clock.flush();
    expect(clock.now()).toBe(1_000);
    expect(fired).toBe(false);
    await clock.advance(9);
    expect(fired).toBe(false);
    await clock.advance(1);
    expect(fired).toBe(true);
    expect(clock.now()).toBe(1_010);
  });

  it('fires due timers earliest first, ties in the order they were set, at their due time', async () => {
    const clock = new FakeClock();
    const fired: Array<[string, number]> = [];
    clock.setTimer(30, () => fired.push(['c', clock.now()]));
    clock.setTimer(10, () => fired.push(['a', clock.now()]));
    clock.setTimer(10, () => fired.push(['b', clock.now()]));
    await clock.advance(100);
    expect(fired).toEqual([
      ['a', 10],
      ['b', 10],
      ['c', 30],
    ]);
    expect(clock.now()).toBe(100);
  });

  it('runs a loop that sleeps again within the same advance', async () => {
    const clock = new FakeClock();
    const ticks: number[] = [];
    const controller = new AbortController();
    const loop = (async () => {
      while (!controller.signal.aborted) {
        await clock.sleep(100, controller.signal);
        if (!controller.signal.aborted) ticks.push(clock.now());
      }
    })();
    await clock.advance(350);
    expect(ticks).toEqual([100, 200, 300]);
    controller.abort();
    await loop;
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not fire a cancelled timer', async () => {
    const clock = new FakeClock();
    let fired = false;
    const timer = clock.setTimer(5, () => {
      fired = true;
    });
    timer.cancel();
    timer.cancel();
    await clock.advance(10);
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('resolves sleep early, without rejecting, when the signal aborts, and cancels its timer', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(60_000, controller.signal);
    expect(clock.pendingTimers).toBe(1);
    controller.abort();
    await sleeping;
    expect(clock.now()).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('advanceToNextTimer jumps to the earliest timer and reports when none is pending', async () => {
    const clock = new FakeClock();
    expect(await clock.advanceToNextTimer()).toBe(false);
    clock.setTimer(1_234, () => {});
    expect(clock.nextTimerAt).toBe(1_234);
    expect(await clock.advanceToNextTimer()).toBe(true);
    expect(clock.now()).toBe(1_234);
  });
});

describe('realClock', () => {
  it('resolves a sleep at once for an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    const started = performance.now();
    await realClock.sleep(60_000, controller.signal);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('reads a time close to Date.now()', () => {
    expect(Math.abs(realClock.now() - Date.now())).toBeLessThan(1_000);
  });
});
