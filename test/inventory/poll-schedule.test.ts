import { describe, expect, it } from 'vitest';
import { nextPollAt, pollPhaseMs } from '../../src/inventory/poll-schedule.js';

describe('poll phases', () => {
  it('spreads consecutive cluster ids over the interval', () => {
    const interval = 5_000;
    const phases = Array.from({ length: 10 }, (_, i) => pollPhaseMs(i + 1, interval)).sort(
      (a, b) => a - b,
    );
    for (const phase of phases) {
      expect(phase).toBeGreaterThanOrEqual(0);
      expect(phase).toBeLessThan(interval);
    }
    // Ten clusters: no two closer than a fifth of an even share (500 ms) of the interval.
    const gaps = phases.slice(1).map((p, i) => p - phases[i]!);
    gaps.push(phases[0]! + interval - phases.at(-1)!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(interval / 10 / 5);
  });

  it('polls one interval later without a phase', () => {
    expect(nextPollAt(12_345, 5_000)).toBe(17_345);
  });

  it('moves the first poll after a start onto the phase, then keeps one interval on it', () => {
    const interval = 5_000;
    const phase = 1_200;
    // Started at 10,000: the earliest next poll is 12,500; the first phase slot after it 16,200.
    const second = nextPollAt(10_000, interval, phase);
    expect(second).toBe(16_200);
    // Started at 13,000: the earliest is 15,500, so 16,200 again (less than an interval later).
    expect(nextPollAt(13_000, interval, phase)).toBe(16_200);
    // On the phase, a slow cycle does not drift the schedule.
    expect(nextPollAt(second, interval, phase)).toBe(second + interval);
    expect(nextPollAt(second + 40, interval, phase)).toBe(second + interval);
  });
});
