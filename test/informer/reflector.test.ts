// Reflector behaviour, ported from client-go tools/cache/reflector_test.go where a case exists
// (TestReflectorWatchHandler, TestReflectorListAndWatchWithErrors, TestReflectorResync,
// TestReflectorListAndWatchInitConnBackoff) and extended for the polling world.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DeletedFinalStateUnknown } from '../../src/informer/deleted-final-state-unknown.js';
import { DeltaFIFO, DeltaType } from '../../src/informer/delta-fifo.js';
import { InformerError } from '../../src/informer/errors.js';
import { MemoryIndexer } from '../../src/informer/indexer.js';
import type {
  ListerWatcher,
  ListResult,
  WatchOptions,
  WatchSink,
} from '../../src/informer/list-watch.js';
import { noopInformerMetrics } from '../../src/informer/metrics.js';
import { Reflector } from '../../src/informer/reflector.js';
import type { Store } from '../../src/informer/store.js';
import { FakeClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { FakeControllerSource } from './fake-controller-source.js';
import { type Pod, pod, podKey, startRunning } from './fixtures.js';

/** RecordingStore is an Indexer-backed Store that counts the calls it receives. */
class RecordingStore implements Store<Pod> {
  readonly indexer = new MemoryIndexer<Pod>(podKey);
  replaces: Array<{ names: string[]; resourceVersion: string }> = [];
  resyncs = 0;
  add(obj: Pod): void {
    this.indexer.add(obj);
  }
  update(obj: Pod): void {
    this.indexer.update(obj);
  }
  delete(obj: Pod | DeletedFinalStateUnknown<Pod>): void {
    this.indexer.delete(obj);
  }
  replace(list: readonly Pod[], resourceVersion: string): void {
    this.replaces.push({ names: list.map(podKey), resourceVersion });
    this.indexer.replace(list, resourceVersion);
  }
  resync(): void {
    this.resyncs++;
  }
}

const noJitter = { jitter: 0 };

/** timedLister wraps a source so that the clock time of every list() call is recorded. */
function timedLister(source: FakeControllerSource, clock: FakeClock) {
  const listTimes: number[] = [];
  const lw: ListerWatcher<Pod> = {
    list: (options) => {
      listTimes.push(clock.now());
      return source.list(options);
    },
    watch: (sink, options) => source.watch(sink, options),
  };
  return { lw, listTimes };
}

describe('Reflector', () => {
  it('TestReflectorWatchHandler: applies watch events to the store and records the Bookmark', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.add(pod('foo'));
    source.add(pod('bar'));
    const store = new RecordingStore();
    const reflector = new Reflector(source, store, { clock });
    const run = startRunning(reflector);
    await clock.flush();
    expect(store.indexer.listKeys().sort()).toEqual(['bar', 'foo']);

    source.delete(pod('foo'));
    const bar = source.modify(pod('bar'));
    const baz = source.add(pod('baz'));
    expect(store.indexer.getByKey('foo')).toBeUndefined();
    expect(store.indexer.getByKey('bar')).toEqual(bar);
    expect(store.indexer.getByKey('baz')).toEqual(baz);
    expect(reflector.lastSyncResourceVersion).toBe('2'); // the list's; no Bookmark yet
    await run.stop();
  });

  it('TestReflectorListAndWatchWithErrors: list and watch failures reject the round, wrapped with their cause', async () => {
    const clock = new FakeClock();
    const store = new RecordingStore();
    const listError = new Error('a list error');
    const failingList: ListerWatcher<Pod> = {
      list: () => Promise.reject(listError),
      watch: () => Promise.resolve(),
    };
    const controller = new AbortController();
    const listFailure = await new Reflector(failingList, store, { clock })
      .listAndWatch(controller.signal)
      .catch((err: unknown) => err);
    expect(listFailure).toBeInstanceOf(InformerError);
    expect(listFailure).toMatchObject({ code: 'LIST_FAILED', cause: listError });
    expect((listFailure as Error).message).toContain('a list error');
    expect(store.replaces).toEqual([]);

    const watchError = new Error('a watch error');
    const failingWatch: ListerWatcher<Pod> = {
      list: async () => ({ items: [pod('bar', '3')], resourceVersion: '5' }),
      watch: () => Promise.reject(watchError),
    };
    const watchFailure = await new Reflector(failingWatch, store, { clock })
      .listAndWatch(controller.signal)
      .catch((err: unknown) => err);
    expect(watchFailure).toMatchObject({ code: 'WATCH_FAILED', cause: watchError });
    expect(store.replaces).toEqual([{ names: ['bar'], resourceVersion: '5' }]);
  });

  it('backs off 0.8 s, 1.6 s, 3.2 s … between failed lists, reporting each failure to the sink', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.listError = new Error('Access Denied');
    const errors: Error[] = [];
    const { lw, listTimes } = timedLister(source, clock);
    const reflector = new Reflector(lw, new RecordingStore(), {
      clock,
      backoff: noJitter,
      onError: (error) => errors.push(error),
    });
    const run = startRunning(reflector);
    await clock.advance(800 + 1_600 + 3_200 + 6_400);
    expect(listTimes).toEqual([0, 800, 2_400, 5_600, 12_000]);
    expect(errors).toHaveLength(5);
    expect(errors.every((error) => (error as InformerError).code === 'LIST_FAILED')).toBe(true);
    expect(errors[0]!.message).toContain('Access Denied');
    await run.stop();
  });

  it('caps the backoff at 30 s with jitter in [30 s, 60 s)', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.listError = new Error('down');
    const { lw, listTimes } = timedLister(source, clock);
    const reflector = new Reflector(lw, new RecordingStore(), {
      clock,
      backoff: { random: () => 0.5 },
      onError: () => {},
    });
    const run = startRunning(reflector);
    await clock.advance(10 * 60_000);
    const gaps = listTimes.slice(1).map((time, i) => time - listTimes[i]!);
    expect(gaps.slice(0, 6)).toEqual([1_200, 2_400, 4_800, 9_600, 19_200, 38_400]);
    expect(gaps.slice(6).every((gap) => gap === 45_000)).toBe(true);
    await run.stop();
  });

  it('resets the backoff after 2 minutes of healthy watching', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.add(pod('a'));
    const { lw, listTimes } = timedLister(source, clock);
    const reflector = new Reflector(lw, new RecordingStore(), {
      clock,
      backoff: noJitter,
      onError: () => {},
    });
    const run = startRunning(reflector);
    await clock.flush();
    // Two quick failures: 0.8 s, then 1.6 s.
    source.resetWatch();
    await clock.advance(800);
    source.resetWatch();
    await clock.advance(1_600);
    expect(listTimes).toEqual([0, 800, 2_400]);
    // A failure within 2 minutes continues the sequence (3.2 s) …
    await clock.advance(60_000);
    source.resetWatch();
    await clock.advance(3_200);
    expect(listTimes.at(-1)).toBe(2_400 + 60_000 + 3_200);
    // … one after more than 2 minutes of health starts again from 0.8 s.
    await clock.advance(121_000);
    source.resetWatch();
    const failedAt = clock.now();
    await clock.advance(800);
    expect(listTimes.at(-1)).toBe(failedAt + 800);
    await run.stop();
  });

  it('relists after a broken watch and applies what the watch missed', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.add(pod('pod1'));
    const store = new RecordingStore();
    const reflector = new Reflector(source, store, { clock, backoff: noJitter, onError: () => {} });
    const run = startRunning(reflector);
    await clock.flush();
    source.addDropWatch(pod('pod2'));
    source.deleteDropWatch(pod('pod1'));
    expect(store.indexer.listKeys()).toEqual(['pod1']);
    source.resetWatch();
    await clock.advance(800);
    expect(source.listCalls).toBe(2);
    expect(store.indexer.listKeys()).toEqual(['pod2']);
    await run.stop();
  });

  it('deletes nothing when a relist fails, then applies the next successful list', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.add(pod('a'));
    source.add(pod('b'));
    const fifo = new DeltaFIFO<Pod>({ keyFunction: podKey });
    const reflector = new Reflector(source, fifo, { clock, backoff: noJitter, onError: () => {} });
    const run = startRunning(reflector);
    await clock.flush();
    await fifo.pop(() => {});
    await fifo.pop(() => {});

    source.listError = new Error('PVE unreachable');
    source.resetWatch();
    await clock.advance(800 + 1_600 + 3_200);
    expect(source.listCalls).toBe(4);
    expect(fifo.length).toBe(0); // no tombstones for a, b

    source.listError = undefined;
    source.deleteDropWatch(pod('b'));
    await clock.advance(6_400);
    const keys = fifo.listKeys();
    expect(keys).toEqual(['a']); // only the listed object: without knownObjects, b's delete is unknown
    await run.stop();
  });

  it('never stops after a failed first list: it keeps retrying until a list succeeds', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.add(pod('a'));
    source.listError = new Error('first list fails');
    const store = new RecordingStore();
    const errors: Error[] = [];
    const reflector = new Reflector(source, store, {
      clock,
      backoff: noJitter,
      onError: (error) => errors.push(error),
    });
    const run = startRunning(reflector);
    await clock.advance(800);
    expect(errors).toHaveLength(2);
    source.listError = undefined;
    await clock.advance(1_600);
    expect(store.indexer.listKeys()).toEqual(['a']);
    expect(source.openWatches).toBe(1);
    await run.stop();
  });

  it('TestReflectorResync: calls store.resync() every resync period while watching', async () => {
    const clock = new FakeClock();
    const store = new RecordingStore();
    const reflector = new Reflector(new FakeControllerSource(), store, {
      clock,
      resyncPeriodMs: 1_000,
    });
    const run = startRunning(reflector);
    await clock.advance(3_500);
    expect(store.resyncs).toBe(3);
    await run.stop();
  });

  it('resyncs only when shouldResync says so', async () => {
    const clock = new FakeClock();
    const store = new RecordingStore();
    let allow = false;
    const reflector = new Reflector(new FakeControllerSource(), store, {
      clock,
      resyncPeriodMs: 1_000,
      shouldResync: () => allow,
    });
    const run = startRunning(reflector);
    await clock.advance(2_000);
    expect(store.resyncs).toBe(0);
    allow = true;
    await clock.advance(1_000);
    expect(store.resyncs).toBe(1);
    await run.stop();
  });

  it('treats a watch that closes at once without events as a failure ("very short watch")', async () => {
    const clock = new FakeClock();
    const errors: Error[] = [];
    const lw: ListerWatcher<Pod> = {
      list: async () => ({ items: [], resourceVersion: '1' }),
      watch: async () => {},
    };
    const reflector = new Reflector(lw, new RecordingStore(), {
      clock,
      backoff: noJitter,
      onError: (error) => errors.push(error),
    });
    const run = startRunning(reflector);
    await clock.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'WATCH_FAILED' });
    expect(errors[0]!.message).toContain('very short watch');
    await run.stop();
  });

  it('re-watches without relisting when a watch closes normally after events', async () => {
    const clock = new FakeClock();
    let lists = 0;
    let watches = 0;
    const lw: ListerWatcher<Pod> = {
      list: async () => {
        lists++;
        return { items: [], resourceVersion: '1' };
      },
      watch: (sink: WatchSink<Pod>, options: WatchOptions) => {
        watches++;
        if (watches === 1) {
          sink({ type: 'Added', object: pod('a', '2') });
          sink({ type: 'Bookmark', resourceVersion: '2' });
          return Promise.resolve();
        }
        return new Promise((resolve) => options.signal.addEventListener('abort', () => resolve()));
      },
    };
    const store = new RecordingStore();
    const reflector = new Reflector(lw, store, { clock });
    const run = startRunning(reflector);
    await clock.flush();
    expect([lists, watches]).toEqual([1, 2]);
    expect(reflector.lastSyncResourceVersion).toBe('2');
    expect(store.indexer.listKeys()).toEqual(['a']);
    await run.stop();
  });

  it('stops on abort: run() resolves and leaves no timer behind', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.listError = new Error('down');
    const reflector = new Reflector(source, new RecordingStore(), {
      clock,
      resyncPeriodMs: 1_000,
      onError: () => {},
    });
    const run = startRunning(reflector);
    await clock.flush();
    expect(clock.pendingTimers).toBe(1); // the backoff
    await run.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('stops even when the ListerWatcher ignores its signal (list and watch)', async () => {
    const never = new Promise<never>(() => {});
    const hangingList: ListerWatcher<Pod> = { list: () => never, watch: () => never };
    const listing = startRunning(
      new Reflector(hangingList, new RecordingStore(), { clock: new FakeClock() }),
    );
    await new Promise<void>((resolve) => setImmediate(resolve));
    await listing.stop();

    const hangingWatch: ListerWatcher<Pod> = {
      list: async () => ({ items: [], resourceVersion: '1' }),
      watch: () => never,
    };
    const watching = startRunning(
      new Reflector(hangingWatch, new RecordingStore(), { clock: new FakeClock() }),
    );
    await new Promise<void>((resolve) => setImmediate(resolve));
    await watching.stop();
  });

  it('does not apply a list that completes after stop', async () => {
    let resolveList: (result: ListResult<Pod>) => void = () => {};
    const lw: ListerWatcher<Pod> = {
      list: () =>
        new Promise((resolve) => {
          resolveList = resolve;
        }),
      watch: async () => {},
    };
    const store = new RecordingStore();
    const run = startRunning(new Reflector(lw, store, { clock: new FakeClock() }));
    await new Promise<void>((resolve) => setImmediate(resolve));
    const stopped = run.stop();
    resolveList({ items: [pod('late')], resourceVersion: '1' });
    await stopped;
    expect(store.replaces).toEqual([]);
  });

  it('acknowledges lists and Bookmarks to an Acknowledgeable source when the store is a plain cache', async () => {
    const clock = new FakeClock();
    const acknowledged: string[] = [];
    let sink: WatchSink<Pod> = () => {};
    const lw: ListerWatcher<Pod> & { acknowledge(rv: string): void } = {
      list: async () => ({ items: [pod('a')], resourceVersion: '1' }),
      watch: (s, options) => {
        sink = s;
        return new Promise((resolve) => options.signal.addEventListener('abort', () => resolve()));
      },
      acknowledge: (rv) => acknowledged.push(rv),
    };
    const run = startRunning(new Reflector(lw, new RecordingStore(), { clock }));
    await clock.flush();
    sink({ type: 'Bookmark', resourceVersion: '2' });
    expect(acknowledged).toEqual(['1', '2']);
    await run.stop();
  });

  it('logs "reflector initial list completed" with name and count once', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const logger = createLogger({ destination });
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.add(pod('a'));
    source.add(pod('b'));
    const reflector = new Reflector(source, new RecordingStore(), {
      name: 'pve-guests',
      clock,
      logger,
      backoff: noJitter,
      metrics: noopInformerMetrics,
    });
    const run = startRunning(reflector);
    await clock.flush();
    source.resetWatch();
    await clock.advance(800);
    await run.stop();
    const completed = lines
      .map((line) => JSON.parse(line) as { msg: string; name?: string; count?: number })
      .filter((line) => String(line.msg).startsWith('reflector initial list completed'));
    expect(completed).toEqual([expect.objectContaining({ name: 'pve-guests', count: 2 })]);
  });

  it('reports list durations and errors to the metric hooks', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    source.listError = new Error('down');
    const listErrors: string[] = [];
    const durations: number[] = [];
    const reflector = new Reflector(source, new RecordingStore(), {
      name: 'r',
      clock,
      backoff: noJitter,
      onError: () => {},
      metrics: {
        ...noopInformerMetrics,
        incListErrors: (name) => listErrors.push(name),
        observeListDuration: (_name, seconds) => durations.push(seconds),
      },
    });
    const run = startRunning(reflector);
    await clock.advance(800);
    expect(listErrors).toEqual(['r', 'r']);
    expect(durations).toHaveLength(2);
    await run.stop();
  });

  it('applies watch events into a DeltaFIFO as Added, Updated and Deleted deltas', async () => {
    const clock = new FakeClock();
    const source = new FakeControllerSource();
    const fifo = new DeltaFIFO<Pod>({ keyFunction: podKey });
    const run = startRunning(new Reflector(source, fifo, { clock }));
    await clock.flush();
    const a1 = source.add(pod('a'));
    const a2 = source.modify(pod('a'));
    source.delete(a2);
    expect(fifo.getByKey('a')!.map((delta) => delta.type)).toEqual([
      DeltaType.Added,
      DeltaType.Updated,
      DeltaType.Deleted,
    ]);
    expect(fifo.getByKey('a')![0]!.object).toEqual(a1);
    await run.stop();
  });
});
