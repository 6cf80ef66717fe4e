import { describe, expect, it } from 'vitest';
import { DeletedFinalStateUnknown } from '../../src/informer/deleted-final-state-unknown.js';
import type { WatchEvent } from '../../src/informer/list-watch.js';
import { noopInformerMetrics } from '../../src/informer/metrics.js';
import type { PollingWatch, PollResult } from '../../src/informer/polling-watch.js';
import { FakeClock } from '../../src/lib/clock.js';
import { type Pod, pod, podInformer, podPollingWatch, startRunning } from './fixtures.js';

/** A scripted PVE-like source: each poll returns `current`, or throws `failure`. */
function scriptedSource(): {
  current: Pod[];
  failure: Error | undefined;
  calls: number;
  list: (signal: AbortSignal) => Promise<readonly Pod[]>;
} {
  const source = {
    current: [] as Pod[],
    failure: undefined as Error | undefined,
    calls: 0,
    list: async (_signal: AbortSignal): Promise<readonly Pod[]> => {
      source.calls++;
      if (source.failure !== undefined) throw source.failure;
      return [...source.current];
    },
  };
  return source;
}

/** listThenWatch does what a Reflector does: list, then watch into an event array. */
async function listThenWatch(watch: PollingWatch<Pod>) {
  const controller = new AbortController();
  const listed = await watch.list({ resourceVersion: '', signal: controller.signal });
  const events: WatchEvent<Pod>[] = [];
  const watching = watch.watch((event) => events.push(event), {
    resourceVersion: listed.resourceVersion,
    signal: controller.signal,
  });
  const outcome = watching.then(
    () => 'resolved',
    (err: unknown) => err,
  );
  return { listed, events, outcome, stop: () => controller.abort() };
}

describe('PollingWatch', () => {
  it('polls every interval after the list and emits only differences, then a Bookmark', async () => {
    const clock = new FakeClock();
    const source = scriptedSource();
    source.current = [pod('a', '1'), pod('b', '1')];
    const watching = await listThenWatch(podPollingWatch(source.list, clock));
    expect(watching.listed).toEqual({ items: source.current, resourceVersion: '1' });

    await clock.advance(5_000);
    expect(watching.events).toEqual([{ type: 'Bookmark', resourceVersion: '2' }]);
    source.current = [pod('a', '2'), pod('c', '1')];
    await clock.advance(5_000);
    expect(watching.events.slice(1)).toEqual([
      { type: 'Modified', object: pod('a', '2') },
      { type: 'Added', object: pod('c', '1') },
      { type: 'Deleted', object: pod('b', '1') },
      { type: 'Bookmark', resourceVersion: '3' },
    ]);
    expect(source.calls).toBe(3);
    watching.stop();
    expect(await watching.outcome).toBe('resolved');
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects the watch on a failed poll, emitting nothing for it', async () => {
    const clock = new FakeClock();
    const source = scriptedSource();
    source.current = [pod('a')];
    const watching = await listThenWatch(podPollingWatch(source.list, clock));
    const failure = new Error('595 no route to host');
    source.failure = failure;
    await clock.advance(5_000);
    expect(await watching.outcome).toBe(failure);
    expect(watching.events).toEqual([]);
  });

  it('ends its watch on abort even while a poll that ignores the signal is pending', async () => {
    const clock = new FakeClock();
    let polls = 0;
    const list = () => (polls++ === 0 ? Promise.resolve([]) : new Promise<never>(() => {}));
    const watching = await listThenWatch(podPollingWatch(list, clock));
    await clock.advance(5_000);
    expect(polls).toBe(2);
    watching.stop();
    expect(await watching.outcome).toBe('resolved');
  });

  it('reports poll durations, failures and results', async () => {
    const clock = new FakeClock();
    const source = scriptedSource();
    source.current = [pod('a')];
    const errors: string[] = [];
    const durations: string[] = [];
    const polls: PollResult[] = [];
    const watch = podPollingWatch(source.list, clock, {
      intervalMs: 1_000,
      name: 'guests',
      metrics: {
        ...noopInformerMetrics,
        incListErrors: (name) => errors.push(name),
        observeListDuration: (name) => durations.push(name),
      },
      onPoll: (result) => polls.push(result),
    });
    const run = startRunning(podInformer(watch, clock).informer);
    await clock.advance(1_000);
    source.current = [pod('a', '2')];
    await clock.advance(1_000);
    source.failure = new Error('down');
    await clock.advance(1_000);
    await run.stop();
    const summary = polls.map((p) => [p.resourceVersion, p.relist, p.listed, p.added, p.modified]);
    expect(summary).toEqual([
      ['1', true, 1, 1, 0],
      ['2', false, 1, 0, 0],
      ['3', false, 1, 0, 1],
    ]);
    expect(errors).toEqual(['guests']);
    expect(durations.length).toBeGreaterThanOrEqual(4);
  });

  it('with an informer: relists after a failed poll (backoff), deleting nothing for the failure', async () => {
    const clock = new FakeClock();
    const source = scriptedSource();
    source.current = [pod('a'), pod('b')];
    const { informer, handler, errors } = podInformer(podPollingWatch(source.list, clock), clock);
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

  it('after a restart seeded with the known state: nothing for unchanged, deletions for vanished', async () => {
    const clock = new FakeClock();
    const source = scriptedSource();
    source.current = [pod('kept', 'h1'), pod('edited', 'h2')];
    const fromDatabase = [pod('kept', 'h1'), pod('edited', 'h1'), pod('removed', 'h1')];
    const { informer, handler } = podInformer(podPollingWatch(source.list, clock), clock, {
      initialObjects: fromDatabase,
    });
    const run = startRunning(informer);
    await clock.flush();
    expect(handler.events).toEqual([
      { kind: 'update', oldObj: pod('edited', 'h1'), newObj: pod('edited', 'h2') },
      { kind: 'delete', obj: new DeletedFinalStateUnknown('removed', pod('removed', 'h1')) },
    ]);
    await clock.advance(5_000); // the next poll, unchanged: nothing
    expect(handler.events).toHaveLength(2);
    await run.stop();
  });

  it('whenHandled(resourceVersion) resolves once the informer handled that poll', async () => {
    const clock = new FakeClock();
    const source = scriptedSource();
    source.current = [pod('a')];
    let lastPoll: PollResult | undefined;
    const watch = podPollingWatch(source.list, clock, {
      onPoll: (result) => {
        lastPoll = result;
      },
    });
    const { informer } = podInformer(watch, clock);
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
    await clock.advance(5_000);
    await watch.whenHandled(lastPoll!.resourceVersion);
    expect(handled).toEqual(['2']);
    await run.stop();
  });
});
