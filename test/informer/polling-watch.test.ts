import { describe, expect, it } from 'vitest';
import type { WatchEvent } from '../../src/informer/list-watch.js';
import { noopInformerMetrics } from '../../src/informer/metrics.js';
import { PollingWatch, type PollResult } from '../../src/informer/polling-watch.js';
import { SharedInformer } from '../../src/informer/shared-informer.js';
import { FakeClock } from '../../src/lib/clock.js';
import { type Pod, pod, podKey, podVersion, recordingHandler, startRunning } from './fixtures.js';

/** A scripted PVE-like source: each poll returns `current`, or throws `failure`. */
function scriptedSource(): {
  current: Pod[];
  failure: Error | undefined;
  calls: number[];
  list: (signal: AbortSignal) => Promise<readonly Pod[]>;
} {
  const source = {
    current: [] as Pod[],
    failure: undefined as Error | undefined,
    calls: [] as number[],
    list: async (_signal: AbortSignal): Promise<readonly Pod[]> => {
      source.calls.push(source.calls.length);
      if (source.failure !== undefined) throw source.failure;
      return [...source.current];
    },
  };
  return source;
}

describe('PollingWatch', () => {
  it('polls every interval after the list and emits only differences, then a Bookmark', async () => {
    const clock = new FakeClock();
    const source = scriptedSource();
    source.current = [pod('a', '1'), pod('b', '1')];
    const watch = new PollingWatch<Pod>({
      list: source.list,
      keyFunc: podKey,
      versionFunc: podVersion,
      intervalMs: 5_000,
      clock,
    });
    const controller = new AbortController();
    const listed = await watch.list({ resourceVersion: '', signal: controller.signal });
    expect(listed).toEqual({ items: source.current, resourceVersion: '1' });
    const events: WatchEvent<Pod>[] = [];
    const watching = watch.watch((event) => events.push(event), {
      resourceVersion: '1',
      signal: controller.signal,
    });

    await clock.advance(5_000);
    expect(events).toEqual([{ type: 'Bookmark', resourceVersion: '2' }]);
    source.current = [pod('a', '2'), pod('c', '1')];
    await clock.advance(5_000);
    expect(events.slice(1)).toEqual([
      { type: 'Modified', object: pod('a', '2') },
      { type: 'Added', object: pod('c', '1') },
      { type: 'Deleted', object: pod('b', '1') },
      { type: 'Bookmark', resourceVersion: '3' },
    ]);
    expect(source.calls).toHaveLength(3);
    controller.abort();
    await watching;
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects the watch on a failed poll, emitting nothing for it', async () => {
    const clock = new FakeClock();
    const source = scriptedSource();
    source.current = [pod('a')];
    const watch = new PollingWatch<Pod>({
      list: source.list,
      keyFunc: podKey,
      versionFunc: podVersion,
      intervalMs: 1_000,
      clock,
    });
    const controller = new AbortController();
    await watch.list({ resourceVersion: '', signal: controller.signal });
    const events: WatchEvent<Pod>[] = [];
    const watching = watch.watch((event) => events.push(event), {
      resourceVersion: '1',
      signal: controller.signal,
    });
    const failure = new Error('595 no route to host');
    source.failure = failure;
    const outcome = watching.then(
      () => 'resolved',
      (err: unknown) => err,
    );
    await clock.advance(1_000);
    expect(await outcome).toBe(failure);
    expect(events).toEqual([]);
  });

  it('ends its watch on abort even while a poll that ignores the signal is pending', async () => {
    const clock = new FakeClock();
    let polls = 0;
    const watch = new PollingWatch<Pod>({
      list: () => (polls++ === 0 ? Promise.resolve([]) : new Promise<never>(() => {})),
      keyFunc: podKey,
      versionFunc: podVersion,
      intervalMs: 1_000,
      clock,
    });
    const controller = new AbortController();
    await watch.list({ resourceVersion: '', signal: controller.signal });
    const watching = watch.watch(() => {}, { resourceVersion: '1', signal: controller.signal });
    await clock.advance(1_000);
    expect(polls).toBe(2);
    controller.abort();
    await watching;
  });

  it('reports poll durations, failures and results', async () => {
    const clock = new FakeClock();
    const source = scriptedSource();
    source.current = [pod('a')];
    const errors: string[] = [];
    const durations: string[] = [];
    const polls: PollResult[] = [];
    const watch = new PollingWatch<Pod>({
      list: source.list,
      keyFunc: podKey,
      versionFunc: podVersion,
      intervalMs: 1_000,
      clock,
      name: 'guests',
      metrics: {
        ...noopInformerMetrics,
        incListErrors: (name) => errors.push(name),
        observeListDuration: (name) => durations.push(name),
      },
      onPoll: (result) => polls.push(result),
    });
    const informer = new SharedInformer<Pod>(watch, {
      keyFunc: podKey,
      versionFunc: podVersion,
      clock,
      backoff: { jitter: 0 },
      onError: () => {},
    });
    const run = startRunning(informer);
    await clock.advance(1_000);
    source.current = [pod('a', '2')];
    await clock.advance(1_000);
    source.failure = new Error('down');
    await clock.advance(1_000);
    await run.stop();
    expect(
      polls.map(({ resourceVersion, relist, listed, added, modified, deleted }) => [
        resourceVersion,
        relist,
        listed,
        added,
        modified,
        deleted,
      ]),
    ).toEqual([
      ['1', true, 1, 1, 0, 0],
      ['2', false, 1, 0, 0, 0],
      ['3', false, 1, 0, 1, 0],
    ]);
    expect(errors).toEqual(['guests']);
    expect(durations.length).toBeGreaterThanOrEqual(4);
  });

  it('with an informer: relists after a failed poll (backoff), deleting nothing for the failure', async () => {
    const clock = new FakeClock();
    const source = scriptedSource();
    source.current = [pod('a'), pod('b')];
    const watch = new PollingWatch<Pod>({
      list: source.list,
      keyFunc: podKey,
      versionFunc: podVersion,
      intervalMs: 5_000,
      clock,
    });
    const errors: Error[] = [];
    const informer = new SharedInformer<Pod>(watch, {
      keyFunc: podKey,
      versionFunc: podVersion,
      clock,
      backoff: { jitter: 0 },
      onError: (error) => errors.push(error),
    });
    const handler = recordingHandler();
    informer.addEventHandler(handler);
    const run = startRunning(informer);
    await clock.flush();
    handler.events.length = 0;

    source.failure = new Error('PVE down');
    await clock.advance(5_000); // failed poll → watch fails
    await clock.advance(800); // backoff → relist fails too
    expect(errors).toHaveLength(2);
    expect(informer.indexer.listKeys().sort()).toEqual(['a', 'b']);
    expect(handler.events).toEqual([]);

    source.failure = undefined;
    source.current = [pod('a'), pod('b', '2')];
    await clock.advance(1_600); // relist succeeds: only the real change reaches the handler
    expect(handler.events).toEqual([{ kind: 'update', oldObj: pod('b'), newObj: pod('b', '2') }]);
    await run.stop();
  });

  it('whenHandled(resourceVersion) resolves once the informer handled that poll', async () => {
    const clock = new FakeClock();
    const source = scriptedSource();
    source.current = [pod('a')];
    let lastPoll: PollResult | undefined;
    const watch = new PollingWatch<Pod>({
      list: source.list,
      keyFunc: podKey,
      versionFunc: podVersion,
      intervalMs: 1_000,
      clock,
      onPoll: (result) => {
        lastPoll = result;
      },
    });
    const informer = new SharedInformer<Pod>(watch, {
      keyFunc: podKey,
      versionFunc: podVersion,
      clock,
    });
    const handled: string[] = [];
    informer.addEventHandler({
      onUpdate: async (_old, obj) => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        handled.push(obj.rv);
      },
    });
    const run = startRunning(informer);
    await clock.flush();
    source.current = [pod('a', '2')];
    await clock.advance(1_000);
    await watch.whenHandled(lastPoll!.resourceVersion);
    expect(handled).toEqual(['2']);
    await run.stop();
  });
});
