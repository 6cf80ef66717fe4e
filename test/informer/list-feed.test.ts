import { describe, expect, it } from 'vitest';
import { DeletedFinalStateUnknown } from '../../src/informer/deleted-final-state-unknown.js';
import { ListFeed } from '../../src/informer/list-feed.js';
import { FakeClock } from '../../src/lib/clock.js';
import { type Pod, pod, podFeed, podInformer, podVersion, startRunning } from './fixtures.js';

function setup(options: { onError?: (error: Error) => void } = {}) {
  const clock = new FakeClock();
  const feed = podFeed();
  const { informer, handler } = podInformer(feed, clock, {
    onError: options.onError ?? (() => {}),
  });
  return { clock, feed, informer, handler };
}

describe('ListFeed', () => {
  it('answers the first list with the first push, then applies pushes as differences', async () => {
    const { feed, informer, handler } = setup();
    const run = startRunning(informer);
    await feed.push([pod('a', '1'), pod('b', '1')]);
    expect(informer.hasSynced()).toBe(true);
    expect(handler.events.map((event) => event.kind)).toEqual(['add', 'add']);
    handler.events.length = 0;

    await feed.push([pod('a', '1'), pod('b', '2')]);
    expect(handler.events).toEqual([
      { kind: 'update', oldObj: pod('b', '1'), newObj: pod('b', '2') },
    ]);
    handler.events.length = 0;

    await feed.push([pod('a', '1')]);
    expect(handler.events).toEqual([{ kind: 'delete', obj: pod('b', '2') }]);
    expect(feed.lastHandledResourceVersion).toBe('3');
    await run.stop();
  });

  it('holds pushes made before the informer runs; a superseded push resolves with the newer one', async () => {
    const { feed, informer, handler } = setup();
    const first = feed.push([pod('a', '1')]);
    const second = feed.push([pod('a', '2'), pod('b', '1')]);
    const run = startRunning(informer);
    await Promise.all([first, second]);
    expect(informer.indexer.listKeys().sort()).toEqual(['a', 'b']);
    expect(informer.indexer.getByKey('a')).toEqual(pod('a', '2'));
    expect(handler.events).toHaveLength(2); // the superseded list was never applied
    await run.stop();
  });

  it('fail(): reported to the sink, deletes nothing, and the next push relists', async () => {
    const errors: Error[] = [];
    const { clock, feed, informer, handler } = setup({ onError: (error) => errors.push(error) });
    const run = startRunning(informer);
    await feed.push([pod('a', '1'), pod('b', '1')]);
    handler.events.length = 0;

    feed.fail(new Error('401 permission denied'));
    await clock.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('401 permission denied');
    expect(informer.indexer.size).toBe(2);

    const relisted = feed.push([pod('a', '1')]);
    await clock.advance(800); // the reflector's backoff, then its list() takes the push
    await relisted;
    expect(handler.events).toEqual([
      { kind: 'delete', obj: new DeletedFinalStateUnknown('b', pod('b', '1')) },
    ]);
    await run.stop();
  });

  it('fail() before the first list is reported and does not stop the informer', async () => {
    const errors: Error[] = [];
    const { clock, feed, informer } = setup({ onError: (error) => errors.push(error) });
    const run = startRunning(informer);
    await clock.flush();
    feed.fail(new Error('first poll failed'));
    await clock.flush();
    expect(errors).toHaveLength(1);
    const pushed = feed.push([pod('a')]);
    await clock.advance(800);
    await pushed;
    expect(informer.hasSynced()).toBe(true);
    await run.stop();
  });

  it('rejects push() when its signal aborts before the list is handled', async () => {
    const { feed } = setup();
    const controller = new AbortController();
    const pushed = feed.push([pod('a')], { signal: controller.signal });
    controller.abort(new Error('cluster disabled'));
    await expect(pushed).rejects.toThrow('cluster disabled');
    await expect(feed.push([pod('a')], { signal: controller.signal })).rejects.toThrow(
      'cluster disabled',
    );
  });

  it('rejects a push whose key function throws, and recovers with a relist at the next push', async () => {
    const clock = new FakeClock();
    const feed = new ListFeed<Pod>({
      keyFunc: (obj) => {
        if (obj.name === '') throw new Error('no name');
        return obj.name;
      },
      versionFunc: podVersion,
    });
    const { informer } = podInformer(feed, clock);
    const run = startRunning(informer);
    await feed.push([pod('a')]);
    await expect(feed.push([pod('a', '2'), pod('')])).rejects.toThrow('no name');
    const recovered = feed.push([pod('a', '3')]);
    await clock.advance(800);
    await recovered;
    expect(informer.indexer.getByKey('a')).toEqual(pod('a', '3'));
    await run.stop();
  });
});
