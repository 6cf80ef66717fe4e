// SharedInformer behaviour, ported from client-go tools/cache/shared_informer_test.go where a case
// exists (TestListenerResyncPeriods, TestResyncCheckPeriod, TestSharedInformerWatchDisruption,
// TestSharedInformerErrorHandling, TestAddWhileActive, TestRemoveWhileActive, …).
import { describe, expect, it } from 'vitest';
import { DeletedFinalStateUnknown } from '../../src/informer/deleted-final-state-unknown.js';
import { InformerError } from '../../src/informer/errors.js';
import type { ListFeed } from '../../src/informer/list-feed.js';
import type { ProcessorListener } from '../../src/informer/processor-listener.js';
import { SharedInformer, waitForCacheSync } from '../../src/informer/shared-informer.js';
import { FakeClock } from '../../src/lib/clock.js';
import { FakeControllerSource } from './fake-controller-source.js';
import {
  eventName,
  type Pod,
  pod,
  podFeed,
  podKey,
  podVersion,
  type RecordedEvent,
  recordingHandler,
  startRunning,
} from './fixtures.js';

function informerFor(
  source: FakeControllerSource | ListFeed<Pod>,
  clock: FakeClock,
  options: {
    defaultResyncPeriodMs?: number;
    initialObjects?: Pod[];
    onError?: (e: Error) => void;
  } = {},
): SharedInformer<Pod> {
  return new SharedInformer<Pod>(source, {
    keyFunc: podKey,
    versionFunc: podVersion,
    clock,
    backoff: { jitter: 0 },
    ...options,
  });
}

function namesOf(events: RecordedEvent[]): string[] {
  return [...new Set(events.map(eventName))].sort();
}

describe('SharedInformer', () => {
  it('TestListenerResyncPeriods: resyncs reach only the handlers whose period is due', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.add(pod('pod1'));
    source.add(pod('pod2'));
    const informer = informerFor(source, clock, { defaultResyncPeriodMs: 1_000 });
    const listener1 = recordingHandler(); // never resyncs
    const listener2 = recordingHandler(); // every 2 s
    const listener3 = recordingHandler(); // every 3 s
    informer.addEventHandler(listener1, { resyncPeriodMs: 0 });
    informer.addEventHandler(listener2, { resyncPeriodMs: 2_000 });
    informer.addEventHandler(listener3, { resyncPeriodMs: 3_000 });
    const run = startRunning(informer);
    await clock.flush();
    for (const listener of [listener1, listener2, listener3]) {
      expect(namesOf(listener.events)).toEqual(['pod1', 'pod2']);
      listener.events.length = 0;
    }

    await clock.advance(2_000);
    expect(namesOf(listener2.events)).toEqual(['pod1', 'pod2']);
    expect(listener1.events).toEqual([]);
    expect(listener3.events).toEqual([]);
    listener2.events.length = 0;

    await clock.advance(1_000);
    expect(namesOf(listener3.events)).toEqual(['pod1', 'pod2']);
    expect(listener1.events).toEqual([]);
    expect(listener2.events).toEqual([]);
    // A resync is onUpdate(obj, obj) with the cached object.
    const resync = listener3.events[0] as Extract<RecordedEvent, { kind: 'update' }>;
    expect(resync.kind).toBe('update');
    expect(resync.oldObj).toBe(resync.newObj);
    await run.stop();
  });

  it('TestResyncCheckPeriod: handler periods before start lower the check period, not the others’', () => {
    const informer = informerFor(new FakeControllerSource(), new FakeClock(), {
      defaultResyncPeriodMs: 12 * 3_600_000,
    });
    const period = (registration: unknown): number =>
      (registration as ProcessorListener<Pod>).resyncPeriodMs;
    const handler1 = informer.addEventHandler({}, { resyncPeriodMs: 0 });
    expect(informer.resyncCheckPeriodMs).toBe(12 * 3_600_000);
    expect(period(handler1)).toBe(0);

    const handler2 = informer.addEventHandler({}, { resyncPeriodMs: 60_000 });
    expect(informer.resyncCheckPeriodMs).toBe(60_000);
    expect([period(handler1), period(handler2)]).toEqual([0, 60_000]);

    const handler3 = informer.addEventHandler({}, { resyncPeriodMs: 55_000 });
    expect(informer.resyncCheckPeriodMs).toBe(55_000);
    expect([period(handler1), period(handler2), period(handler3)]).toEqual([0, 60_000, 55_000]);

    const handler4 = informer.addEventHandler({}, { resyncPeriodMs: 5_000 });
    expect(informer.resyncCheckPeriodMs).toBe(5_000);
    expect([period(handler1), period(handler2), period(handler3), period(handler4)]).toEqual([
      0, 60_000, 55_000, 5_000,
    ]);
  });

  it('raises a handler period to 1 s, and to the check period once started', async () => {
    const clock = new FakeClock();
    const informer = informerFor(new FakeControllerSource(), clock, {
      defaultResyncPeriodMs: 10_000,
    });
    const early = informer.addEventHandler({}, { resyncPeriodMs: 10 });
    expect((early as ProcessorListener<Pod>).resyncPeriodMs).toBe(1_000);
    expect(informer.resyncCheckPeriodMs).toBe(1_000);
    const run = startRunning(informer);
    await clock.flush();
    const late = informer.addEventHandler({}, { resyncPeriodMs: 500 });
    expect((late as ProcessorListener<Pod>).resyncPeriodMs).toBe(1_000);
    await run.stop();
  });

  it('TestSharedInformerWatchDisruption: after a relist, handlers see what the watch missed', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.add(pod('pod1'));
    source.add(pod('pod2'));
    const informer = informerFor(source, clock, {
      defaultResyncPeriodMs: 1_000,
      onError: () => {},
    });
    const noResync = recordingHandler();
    const withResync = recordingHandler();
    informer.addEventHandler(noResync, { resyncPeriodMs: 0 });
    informer.addEventHandler(withResync, { resyncPeriodMs: 1_000 });
    const run = startRunning(informer);
    await clock.flush();
    for (const listener of [noResync, withResync]) {
      expect(namesOf(listener.events)).toEqual(['pod1', 'pod2']);
    }

    // pod3 added and pod2 bumped without telling the watch: only a relist will see them.
    source.addDropWatch(pod('pod3'));
    source.modifyDropWatch(pod('pod2'));
    await clock.flush();
    expect(namesOf(noResync.events)).toEqual(['pod1', 'pod2']);
    noResync.events.length = 0;
    withResync.events.length = 0;

    await clock.advance(1_000); // a resync check: withResync is due, noResync is not
    source.resetWatch(); // connection loss
    await clock.advance(800); // backoff, then relist
    expect(namesOf(noResync.events)).toEqual(['pod2', 'pod3']);
    expect(namesOf(withResync.events)).toEqual(['pod1', 'pod2', 'pod3']);
    await run.stop();
  });

  it('TestSharedInformerErrorHandling: a list error reaches the error sink', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.add(pod('pod1'));
    source.listError = new Error('Access Denied');
    const errors: Error[] = [];
    const informer = informerFor(source, clock, { onError: (error) => errors.push(error) });
    const run = startRunning(informer);
    await clock.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('Access Denied');
    expect(informer.hasSynced()).toBe(false);
    await run.stop();
  });

  it('passes isInInitialList = true for the first list only', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.add(pod('a'));
    const informer = informerFor(source, clock);
    const handler = recordingHandler();
    informer.addEventHandler(handler);
    const run = startRunning(informer);
    await clock.flush();
    source.add(pod('b'));
    await clock.flush();
    expect(handler.events).toEqual([
      { kind: 'add', obj: expect.objectContaining({ name: 'a' }), isInInitialList: true },
      { kind: 'add', obj: expect.objectContaining({ name: 'b' }), isInInitialList: false },
    ]);
    await run.stop();
  });

  it('TestAddWhileActive: a late handler gets the current state as initial adds, and syncs after them', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    const informer = informerFor(source, clock);
    const listener1 = recordingHandler();
    const handle1 = informer.addEventHandler(listener1);
    expect(handle1.hasSynced()).toBe(false); // synced before run??

    const run = startRunning(informer);
    source.add(pod('pod1'));
    await clock.flush();
    expect(namesOf(listener1.events)).toEqual(['pod1']);
    expect(handle1.hasSynced()).toBe(true);

    const listener2 = recordingHandler();
    const handle2 = informer.addEventHandler(listener2);
    expect(handle2.hasSynced()).toBe(false); // its initial adds are not handled yet
    await clock.flush();
    expect(listener2.events).toEqual([
      { kind: 'add', obj: expect.objectContaining({ name: 'pod1' }), isInInitialList: true },
    ]);
    expect(handle2.hasSynced()).toBe(true);

    source.add(pod('pod2'));
    await clock.flush();
    expect(namesOf(listener1.events)).toEqual(['pod1', 'pod2']);
    expect(namesOf(listener2.events)).toEqual(['pod1', 'pod2']);
    expect(informer.isRegistered(handle1) && informer.isRegistered(handle2)).toBe(true);
    await run.stop();
  });

  it('gives onUpdate the object the cache held before, not the new one', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    const first = source.add(pod('a', '1', 'pve1'));
    const informer = informerFor(source, clock);
    const handler = recordingHandler();
    informer.addEventHandler(handler);
    const run = startRunning(informer);
    await clock.flush();
    const second = source.modify(pod('a', '', 'pve2'));
    await clock.flush();
    expect(handler.events[1]).toEqual({ kind: 'update', oldObj: first, newObj: second });
    expect(informer.indexer.getByKey('a')).toBe(second);
    await run.stop();
  });

  it('TestRemoveWhileActive: a removed handler gets nothing more', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    const informer = informerFor(source, clock);
    const listener = recordingHandler();
    const handle = informer.addEventHandler(listener);
    const run = startRunning(informer);
    source.add(pod('pod1'));
    await clock.flush();
    expect(namesOf(listener.events)).toEqual(['pod1']);
    informer.removeEventHandler(handle);
    expect(informer.isRegistered(handle)).toBe(false);
    source.add(pod('pod2'));
    await clock.flush();
    expect(namesOf(listener.events)).toEqual(['pod1']);
    await run.stop();
  });

  it('TestSharedInformerMultipleRegistration: one handler registered twice is two registrations', () => {
    const informer = informerFor(new FakeControllerSource(), new FakeClock());
    const handler = {};
    const reg1 = informer.addEventHandler(handler);
    const reg2 = informer.addEventHandler(handler);
    expect(informer.handlerCount).toBe(2);
    informer.removeEventHandler(reg1);
    expect([informer.isRegistered(reg1), informer.isRegistered(reg2)]).toEqual([false, true]);
    informer.removeEventHandler(reg1); // removing twice is harmless
    informer.removeEventHandler(reg2);
    expect(informer.handlerCount).toBe(0);
  });

  it('TestSharedInformerRemoveForeignHandler: removing another informer’s handle does nothing', () => {
    const informer = informerFor(new FakeControllerSource(), new FakeClock());
    const other = informerFor(new FakeControllerSource(), new FakeClock());
    const reg = informer.addEventHandler({});
    other.removeEventHandler(reg);
    expect(informer.isRegistered(reg)).toBe(true);
    expect(other.isRegistered(reg)).toBe(false);
  });

  it('TestStateSharedInformer / TestAddOnStoppedSharedInformer: lifecycle flags, no handler after stop', async () => {
    const clock = new FakeClock();
    const informer = informerFor(new FakeControllerSource(), clock);
    const handle = informer.addEventHandler({});
    expect([informer.isStarted(), informer.isStopped()]).toEqual([false, false]);
    const run = startRunning(informer);
    await clock.flush();
    expect([informer.isStarted(), informer.isStopped()]).toEqual([true, false]);
    await run.stop();
    expect([informer.isStarted(), informer.isStopped()]).toEqual([true, true]);
    let error: unknown;
    try {
      informer.addEventHandler({});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InformerError);
    expect(error).toMatchObject({ code: 'STOPPED' });
    expect((error as Error).message).toMatch(
      /was not added to shared informer because it has stopped already$/,
    );
    informer.removeEventHandler(handle); // TestRemoveOnStoppedSharedInformer: allowed
  });

  it('refuses a second run() and indexers added after start', async () => {
    const clock = new FakeClock();
    const informer = informerFor(new FakeControllerSource(), clock);
    const run = startRunning(informer);
    await expect(informer.run(new AbortController().signal)).rejects.toMatchObject({
      code: 'ALREADY_STARTED',
    });
    expect(() => informer.addIndexers({ node: (p) => [p.node ?? ''] })).toThrow(InformerError);
    await run.stop();
  });

  it('keeps named indexes current', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.add(pod('a', '1', 'pve1'));
    source.add(pod('b', '1', 'pve1'));
    const informer = new SharedInformer<Pod>(source, {
      keyFunc: podKey,
      versionFunc: podVersion,
      clock,
      indexers: { node: (p) => (p.node === undefined ? [] : [p.node]) },
    });
    const run = startRunning(informer);
    await clock.flush();
    expect(informer.indexer.indexKeys('node', 'pve1').sort()).toEqual(['a', 'b']);
    source.modify(pod('b', '', 'pve2')); // a migration
    await clock.flush();
    expect(informer.indexer.indexKeys('node', 'pve1')).toEqual(['a']);
    expect(informer.indexer.byIndex('node', 'pve2').map(podKey)).toEqual(['b']);
    await run.stop();
  });

  it('reports a failing handler to the sink and keeps delivering', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.add(pod('a'));
    source.add(pod('b'));
    const errors: Error[] = [];
    const informer = informerFor(source, clock, { onError: (error) => errors.push(error) });
    const seen: string[] = [];
    informer.addEventHandler({
      onAdd: (obj) => {
        seen.push(obj.name);
        if (obj.name === 'a') throw new Error('boom');
      },
    });
    informer.addEventHandler({
      onAdd: async (obj) => {
        if (obj.name === 'b') throw new Error('async boom');
      },
    });
    const run = startRunning(informer);
    await clock.flush();
    expect(seen).toEqual(['a', 'b']);
    expect(errors.map((error) => [(error as InformerError).code, error.message])).toEqual([
      ['HANDLER_FAILED', 'event handler failed: boom'],
      ['HANDLER_FAILED', 'event handler failed: async boom'],
    ]);
    await run.stop();
  });

  it('calls an async handler one notification at a time, in order', async () => {
    const clock = new FakeClock();
    const feed = podFeed();
    const informer = informerFor(feed, clock);
    const log: string[] = [];
    let active = 0;
    informer.addEventHandler({
      onAdd: async (obj) => {
        active++;
        expect(active).toBe(1);
        log.push(`start ${obj.name}`);
        await new Promise<void>((resolve) => setImmediate(resolve));
        log.push(`end ${obj.name}`);
        active--;
      },
    });
    const run = startRunning(informer);
    await feed.push([pod('a'), pod('b')]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
    await run.stop();
  });

  it('waitForCacheSync resolves true once synced, false when the informer stops first', async () => {
    const clock = new FakeClock();
    const feed = podFeed();
    const informer = informerFor(feed, clock);
    const run = startRunning(informer);
    const synced = waitForCacheSync(undefined, informer);
    await feed.push([pod('a')]);
    expect(await synced).toBe(true);
    await run.stop();

    const never = informerFor(podFeed(), clock);
    const neverRun = startRunning(never);
    const waiting = never.waitForCacheSync();
    await neverRun.stop();
    expect(await waiting).toBe(false);
  });

  it('is synced after an empty first list', async () => {
    const clock = new FakeClock();
    const feed = podFeed();
    const informer = informerFor(feed, clock);
    const run = startRunning(informer);
    await feed.push([]);
    expect(informer.hasSynced()).toBe(true);
    expect(await informer.waitForCacheSync()).toBe(true);
    await run.stop();
  });

  describe('initialObjects (a known state, e.g. from the database)', () => {
    it('diffs the first list against it: nothing for unchanged, update/add/tombstone for the rest', async () => {
      const clock = new FakeClock();
      const feed = podFeed();
      const known = [pod('same', 'h1'), pod('changed', 'h1'), pod('vanished', 'h1')];
      const informer = informerFor(feed, clock, { initialObjects: known });
      const handler = recordingHandler();
      const registration = informer.addEventHandler(handler);
      expect(informer.indexer.size).toBe(3);
      const run = startRunning(informer);
      await feed.push([pod('same', 'h1'), pod('changed', 'h2'), pod('new', 'h1')]);
      expect(handler.events).toEqual([
        { kind: 'update', oldObj: known[1], newObj: pod('changed', 'h2') },
        { kind: 'add', obj: pod('new', 'h1'), isInInitialList: true },
        { kind: 'delete', obj: new DeletedFinalStateUnknown('vanished', known[2]) },
      ]);
      expect(handler.events[2]!.kind === 'delete' && handler.events[2]!.obj).toBeInstanceOf(
        DeletedFinalStateUnknown,
      );
      expect(informer.indexer.listKeys().sort()).toEqual(['changed', 'new', 'same']);
      expect(registration.hasSynced()).toBe(true);
      await run.stop();
    });
  });

  describe('cycles (the seam for one transaction per poll)', () => {
    it('resolves ListFeed.push() only after every handler returned, async ones included', async () => {
      const clock = new FakeClock();
      const feed = podFeed();
      const informer = informerFor(feed, clock);
      const handled: string[] = [];
      informer.addEventHandler({
        onAdd: async (obj) => {
          for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
          handled.push(obj.name);
        },
      });
      informer.addEventHandler({ onAdd: (obj) => void handled.push(`sync:${obj.name}`) });
      const run = startRunning(informer);
      await feed.push([pod('a'), pod('b')]);
      expect(handled.sort()).toEqual(['a', 'b', 'sync:a', 'sync:b']);
      expect(informer.lastHandledResourceVersion()).toBe('1');
      await feed.push([pod('a'), pod('b'), pod('c')]);
      expect(handled).toContain('c');
      expect(informer.lastHandledResourceVersion()).toBe('2');
      await run.stop();
    });

    it('lets one poll feed three informers and await all of them', async () => {
      const clock = new FakeClock();
      const kinds = ['node', 'guest', 'storage'] as const;
      const feeds = kinds.map(() => podFeed());
      const informers = feeds.map((feed) => informerFor(feed, clock));
      const batch: string[] = [];
      informers.forEach((informer, i) => {
        informer.addEventHandler({
          onAdd: (obj) => void batch.push(`${kinds[i]}:${obj.name}`),
          onUpdate: (_old, obj) => void batch.push(`${kinds[i]}:${obj.name}`),
        });
      });
      const runs = informers.map(startRunning);
      const poll = async (rv: string): Promise<string[]> => {
        await Promise.all(feeds.map((feed, i) => feed.push([pod(`${kinds[i]}-1`, rv)])));
        return batch.splice(0).sort();
      };
      expect(await poll('1')).toEqual(['guest:guest-1', 'node:node-1', 'storage:storage-1']);
      expect(await poll('1')).toEqual([]); // nothing changed: nothing to write
      expect(await poll('2')).toEqual(['guest:guest-1', 'node:node-1', 'storage:storage-1']);
      await Promise.all(runs.map((run) => run.stop()));
    });
  });

  it('stops everything on abort: run() resolves and no timer is left', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.add(pod('a'));
    const informer = informerFor(source, clock, { defaultResyncPeriodMs: 1_000 });
    informer.addEventHandler({}, { resyncPeriodMs: 1_000 });
    const run = startRunning(informer);
    await clock.advance(2_500);
    await run.stop();
    expect(clock.pendingTimers).toBe(0);
    expect(source.openWatches).toBe(0);
  });
});
