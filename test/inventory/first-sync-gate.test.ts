import { describe, expect, it } from 'vitest';
import { FirstSyncGate } from '../../src/inventory/first-sync-gate.js';
import { FakeClock } from '../../src/lib/clock.js';

/** settled tells whether a promise has settled, after letting pending callbacks run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

describe('FirstSyncGate', () => {
  it('is open when no cluster is in its first sync', async () => {
    const gate = new FirstSyncGate({ clock: new FakeClock() });
    expect(await settled(gate.whenOpen(new AbortController().signal))).toBe(true);
  });

  it('holds details until every first sync has left, however often one leaves', async () => {
    const gate = new FirstSyncGate({ clock: new FakeClock() });
    const leaveA = gate.enter();
    const leaveB = gate.enter();
    const open = gate.whenOpen(new AbortController().signal);
    leaveA();
    leaveA(); // leaving twice counts once
    expect(gate.syncing).toBe(1);
    expect(await settled(open)).toBe(false);
    leaveB();
    expect(await settled(open)).toBe(true);
  });

  it('waits no longer than maxWaitMs, and not once the signal aborts', async () => {
    const clock = new FakeClock();
    const gate = new FirstSyncGate({ clock, maxWaitMs: 1_000 });
    gate.enter();
    const timedOut = gate.whenOpen(new AbortController().signal);
    await clock.advance(999);
    expect(await settled(timedOut)).toBe(false);
    await clock.advance(1);
    expect(await settled(timedOut)).toBe(true);

    const stop = new AbortController();
    const stopped = gate.whenOpen(stop.signal);
    stop.abort();
    expect(await settled(stopped)).toBe(true);
  });
});
