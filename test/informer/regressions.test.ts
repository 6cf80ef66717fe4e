// One regression test per informer defect of the original Go implementation (DESIGN §2). Each
// test is written so that it FAILS against the original behaviour; the comment above it names the
// defect and says why.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/lib/clock.js';
import { type Pod, pod, podFeed, podInformer, podPollingWatch, startRunning } from './fixtures.js';

function pollingInformer(list: (signal: AbortSignal) => Promise<readonly Pod[]>) {
  const clock = new FakeClock();
  return { clock, ...podInformer(podPollingWatch(list, clock), clock) };
}

describe('regressions of the original Go informer (DESIGN §2)', () => {
  // Defect: "a failed first list stops the informer forever". The original returned after the
  // first list error, so no list would ever be retried, hasSynced() would stay false and the
  // handler would never see `a`. Here the failure is reported, retried after 0.8 s, and the
  // second list syncs the informer.
  it('a failed first list does not stop the informer: it is retried with backoff', async () => {
    let calls = 0;
    const { clock, informer, handler, errors } = pollingInformer(async () => {
      calls++;
      if (calls === 1) throw new Error('connect ETIMEDOUT');
      return [pod('a')];
    });
    const run = startRunning(informer);
    await clock.flush();
    expect(errors).toHaveLength(1);
    expect(informer.hasSynced()).toBe(false);
    await clock.advance(800);
    expect(calls).toBe(2);
    expect(informer.hasSynced()).toBe(true);
    expect(handler.events).toEqual([{ kind: 'add', obj: pod('a'), isInInitialList: true }]);
    await run.stop();
  });

  // Defect: "an empty list from a poll is ignored (so removing the last VM of a node shows only
  // at the next 5-minute resync)". The original skipped empty poll results, so no onDelete would
  // be delivered and the cache would still hold `a` and `b`. Here an empty successful poll
  // deletes everything known, at that poll.
  it('an empty successful poll deletes every known object at once', async () => {
    let current = [pod('a'), pod('b')];
    const { clock, informer, handler } = pollingInformer(async () => current);
    const run = startRunning(informer);
    await clock.flush();
    handler.events.length = 0;
    current = [];
    await clock.advance(5_000);
    expect(handler.events).toEqual([
      { kind: 'delete', obj: pod('a') },
      { kind: 'delete', obj: pod('b') },
    ]);
    expect(informer.indexer.size).toBe(0);
    await run.stop();
  });

  // Defect: "the store is overwritten at enqueue time so onUpdate gets old == new". The original
  // wrote the new object into the store when the change was queued, then read "old" back from
  // the store when handling it, so oldObj was the new object (rv 2 == rv 2). Here the cache
  // changes only when the delta is popped, so oldObj is the previous object.
  it('onUpdate receives the real old object, not the new one twice', async () => {
    let current = [pod('vm', '1', 'pve1')];
    const { clock, informer, handler } = pollingInformer(async () => current);
    const run = startRunning(informer);
    await clock.flush();
    current = [pod('vm', '2', 'pve2')];
    await clock.advance(5_000);
    const update = handler.events[1];
    expect(update).toEqual({
      kind: 'update',
      oldObj: pod('vm', '1', 'pve1'),
      newObj: pod('vm', '2', 'pve2'),
    });
    expect(update?.kind === 'update' && update.oldObj).not.toBe(
      update?.kind === 'update' && update.newObj,
    );
    await run.stop();
  });

  // Defect: "every relist emits Updated for every key". The original re-sent every object as an
  // update on each list, so 100 unchanged objects would give 100 onUpdate calls per poll and per
  // relist. Here unchanged objects produce no call at all — neither on a poll nor on a relist
  // after an error — and only the one changed object does.
  it('neither a poll nor a relist calls handlers for unchanged objects', async () => {
    let current = Array.from({ length: 100 }, (_, i) => pod(`vm${i}`, '1'));
    let failing = false;
    const { clock, informer, handler } = pollingInformer(async () => {
      if (failing) throw new Error('timeout');
      return current;
    });
    const run = startRunning(informer);
    await clock.flush();
    expect(handler.events).toHaveLength(100);
    handler.events.length = 0;

    await clock.advance(5_000); // an unchanged poll
    expect(handler.events).toEqual([]);

    failing = true;
    await clock.advance(5_000); // the poll fails → the watch ends
    failing = false;
    current = current.map((p, i) => (i === 42 ? pod(p.name, '2') : p));
    await clock.advance(800); // backoff, then a full relist (replace)
    expect(handler.events).toEqual([
      { kind: 'update', oldObj: pod('vm42', '1'), newObj: pod('vm42', '2') },
    ]);
    await run.stop();
  });

  // Defect: "a fixed 100 ms sleep per delta". The original slept 100 ms after every delta, so
  // 1,000 changes took 100 s of wall-clock time; with an injected clock that never moves, such a
  // sleep would never end and this cycle would never be handled. Here handling waits on no timer
  // at all: the whole cycle is handled within a few event-loop turns, with the fake clock still
  // at 0 and no timer pending.
  it('handles a cycle of 1,000 deltas without sleeping per delta', async () => {
    const clock = new FakeClock();
    const feed = podFeed();
    const { informer, handler } = podInformer(feed, clock);
    const run = startRunning(informer);
    let handled = false;
    void feed.push(Array.from({ length: 1_000 }, (_, i) => pod(`vm${i}`))).then(() => {
      handled = true;
    });
    for (let turn = 0; turn < 50 && !handled; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(handled).toBe(true);
    expect(handler.events).toHaveLength(1_000);
    expect(clock.now()).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    await run.stop();
  });
});
