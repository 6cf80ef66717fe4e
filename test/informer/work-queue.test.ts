// A port of client-go util/workqueue/queue_test.go, plus the batch take.
import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../src/informer/work-queue.js';

const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

async function settles(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  for (let i = 0; i < 5; i++) await turn();
  return settled;
}

type ShutDown = (queue: WorkQueue<string | number>) => unknown;
const shutDowns: Array<[string, ShutDown]> = [
  ['shutDown', (queue) => queue.shutDown()],
  ['shutDownWithDrain', (queue) => queue.shutDownWithDrain()],
];

describe('WorkQueue', () => {
  describe.each(shutDowns)('TestBasic (%s)', (_name, shutDown) => {
    it('producers and consumers process every item and nothing added after shutdown', async () => {
      const queue = new WorkQueue<string | number>();
      const producers = Array.from({ length: 50 }, async (_, i) => {
        for (let j = 0; j < 50; j++) {
          queue.add(i);
          await turn();
        }
      });
      const consumers = Array.from({ length: 10 }, async () => {
        for (;;) {
          const item = await queue.get();
          expect(item).not.toBe('added after shutdown!');
          if (item === undefined) return;
          await turn();
          queue.done(item);
        }
      });
      await Promise.all(producers);
      await shutDown(queue);
      queue.add('added after shutdown!');
      await Promise.all(consumers);
      expect(queue.len()).toBe(0);
    });
  });

  describe.each(shutDowns)('TestAddWhileProcessing (%s)', (_name, shutDown) => {
    it('re-adding items while processing them requeues them once done', async () => {
      const queue = new WorkQueue<string | number>();
      for (let i = 0; i < 50; i++) queue.add(i);
      const processed = new Map<string | number, number>();
      const consumers = Array.from({ length: 10 }, async () => {
        const counters = new Map<string | number, number>();
        for (;;) {
          const item = await queue.get();
          if (item === undefined) return;
          counters.set(item, (counters.get(item) ?? 0) + 1);
          processed.set(item, (processed.get(item) ?? 0) + 1);
          if (counters.get(item)! < 2) queue.add(item);
          queue.done(item);
        }
      });
      for (let i = 0; i < 20; i++) await turn();
      await shutDown(queue);
      await Promise.all(consumers);
      expect(queue.len()).toBe(0);
      expect([...processed.values()].every((count) => count >= 2)).toBe(true);
    });
  });

  it('TestLen: a duplicate add does not grow the queue', () => {
    const queue = new WorkQueue();
    queue.add('foo');
    expect(queue.len()).toBe(1);
    queue.add('bar');
    expect(queue.len()).toBe(2);
    queue.add('foo');
    expect(queue.len()).toBe(2);
  });

  it('TestReinsert: an item added while processing is queued again by done()', async () => {
    const queue = new WorkQueue();
    queue.add('foo');
    const item = await queue.get();
    expect(item).toBe('foo');
    queue.add(item!);
    expect(queue.len()).toBe(0); // not handed out twice at the same time
    queue.done(item!);
    expect(await queue.get()).toBe('foo');
    queue.done('foo');
    expect(queue.len()).toBe(0);
  });

  it('TestQueueDrainageUsingShutDownWithDrain: waits until every handed-out item is done', async () => {
    const queue = new WorkQueue();
    queue.add('foo');
    queue.add('bar');
    const first = await queue.get();
    const second = await queue.get();
    const drained = queue.shutDownWithDrain();
    expect(await queue.get()).toBeUndefined(); // shutting down, nothing queued
    expect(await settles(drained)).toBe(false);
    queue.done(first!);
    expect(await settles(drained)).toBe(false);
    queue.done(second!);
    await drained;
  });

  it('TestNoQueueDrainageUsingShutDown: shutDown does not wait for items in progress', async () => {
    const queue = new WorkQueue();
    queue.add('foo');
    queue.add('bar');
    await queue.get();
    await queue.get();
    queue.shutDown();
    expect(queue.shuttingDown()).toBe(true);
  });

  it('TestForceQueueShutdownUsingShutDown: shutDown ends a pending drain', async () => {
    const queue = new WorkQueue();
    queue.add('foo');
    queue.add('bar');
    await queue.get();
    await queue.get();
    const drained = queue.shutDownWithDrain();
    expect(await queue.get()).toBeUndefined();
    queue.shutDown();
    await drained;
  });

  it('TestQueueDrainageUsingShutDownWithDrainWithDirtyItem: a dirty item is still handed out', async () => {
    const queue = new WorkQueue();
    queue.add('foo');
    const gotten = await queue.get();
    queue.add('foo');
    const drained = queue.shutDownWithDrain();
    expect(await queue.get()).toBeUndefined();
    queue.done(gotten!);
    const again = await queue.get(); // done() queued the dirty item again
    expect(again).toBe('foo');
    queue.done(again!);
    expect(await queue.get()).toBeUndefined();
    await drained;
  });

  it('get(signal) returns undefined when the signal aborts', async () => {
    const queue = new WorkQueue();
    const controller = new AbortController();
    const getting = queue.get(controller.signal);
    controller.abort();
    expect(await getting).toBeUndefined();
  });

  describe('getBatch', () => {
    it('takes every ready item at once, in order, after waiting for the first', async () => {
      const queue = new WorkQueue();
      const batch = queue.getBatch();
      expect(await settles(batch)).toBe(false);
      queue.add('qemu/101');
      queue.add('qemu/102');
      queue.add('qemu/101');
      queue.add('lxc/200');
      expect(await batch).toEqual(['qemu/101', 'qemu/102', 'lxc/200']);
      expect(queue.len()).toBe(0);
      expect(queue.processingCount).toBe(3);
    });

    it('respects max', async () => {
      const queue = new WorkQueue();
      for (const key of ['a', 'b', 'c']) queue.add(key);
      expect(await queue.getBatch({ max: 2 })).toEqual(['a', 'b']);
      expect(await queue.getBatch()).toEqual(['c']);
    });

    it('never hands out a key that is still being processed; done() releases it', async () => {
      const queue = new WorkQueue();
      queue.add('a');
      queue.add('b');
      const first = await queue.getBatch();
      queue.add('a'); // changed again while the first batch is being written
      queue.add('c');
      expect(await queue.getBatch()).toEqual(['c']);
      for (const key of first) queue.done(key);
      expect(await queue.getBatch()).toEqual(['a']);
    });

    it('returns an empty batch once shut down and empty', async () => {
      const queue = new WorkQueue();
      const batch = queue.getBatch();
      queue.shutDown();
      expect(await batch).toEqual([]);
    });
  });

  it('reports its depth', () => {
    const depths: number[] = [];
    const queue = new WorkQueue({
      name: 'q',
      metrics: {
        observeListDuration() {},
        incListErrors() {},
        incDeltas() {},
        setQueueDepth: (_name, depth) => depths.push(depth),
      },
    });
    queue.add('a');
    queue.add('b');
    queue.add('a');
    expect(depths).toEqual([1, 2]);
  });
});
