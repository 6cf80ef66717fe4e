import { describe, expect, it } from 'vitest';
import { ListDiff } from '../../src/informer/list-diff.js';
import type { WatchEvent } from '../../src/informer/list-watch.js';
import { type Pod, pod, podKey, podVersion } from './fixtures.js';

function collect(): { events: WatchEvent<Pod>[]; sink: (event: WatchEvent<Pod>) => void } {
  const events: WatchEvent<Pod>[] = [];
  return { events, sink: (event) => events.push(event) };
}

describe('ListDiff', () => {
  it('emits nothing for an unchanged list', () => {
    const diff = new ListDiff<Pod>({ keyFunc: podKey, versionFunc: podVersion });
    diff.reset([pod('a', '1'), pod('b', '1')]);
    const { events, sink } = collect();
    expect(diff.diff([pod('a', '1'), pod('b', '1')], sink)).toEqual({
      added: 0,
      modified: 0,
      deleted: 0,
    });
    expect(events).toEqual([]);
  });

  it('emits Added, Modified (version changed) and Deleted (with the last listed object)', () => {
    const diff = new ListDiff<Pod>({ keyFunc: podKey, versionFunc: podVersion });
    diff.reset([pod('same', '1'), pod('changed', '1'), pod('gone', '1', 'pve1')]);
    const { events, sink } = collect();
    const changes = diff.diff([pod('same', '1'), pod('changed', '2'), pod('new', '1')], sink);
    expect(changes).toEqual({ added: 1, modified: 1, deleted: 1 });
    expect(events).toEqual([
      { type: 'Modified', object: pod('changed', '2') },
      { type: 'Added', object: pod('new', '1') },
      { type: 'Deleted', object: pod('gone', '1', 'pve1') },
    ]);
    expect(diff.size).toBe(3);
  });

  it('deletes everything on an empty list', () => {
    const diff = new ListDiff<Pod>({ keyFunc: podKey, versionFunc: podVersion });
    diff.reset([pod('a'), pod('b')]);
    const { events, sink } = collect();
    diff.diff([], sink);
    expect(events.map((event) => event.type)).toEqual(['Deleted', 'Deleted']);
    expect(diff.size).toBe(0);
  });

  it('diffs each list against the previous one, not the first', () => {
    const diff = new ListDiff<Pod>({ keyFunc: podKey, versionFunc: podVersion });
    diff.reset([pod('a', '1')]);
    diff.diff([pod('a', '2')], () => {});
    const { events, sink } = collect();
    diff.diff([pod('a', '2')], sink);
    expect(events).toEqual([]);
  });

  it('finds a deletion even when another key is listed twice', () => {
    const diff = new ListDiff<Pod>({ keyFunc: podKey, versionFunc: podVersion });
    diff.reset([pod('a'), pod('b')]);
    const { events, sink } = collect();
    diff.diff([pod('a'), pod('a')], sink);
    expect(events).toEqual([{ type: 'Deleted', object: pod('b') }]);
  });

  it('keeps the object of the last change for an unchanged key, and deletes with it', () => {
    const diff = new ListDiff<Pod>({ keyFunc: podKey, versionFunc: podVersion });
    const changed = { name: 'a', rv: '2', node: 'instance of the change' };
    diff.reset([pod('a', '1')]);
    diff.diff([changed], () => {});
    diff.diff([{ name: 'a', rv: '2', node: 'a later, equal instance' }], () => {});
    const { events, sink } = collect();
    diff.diff([], sink);
    expect(events).toEqual([{ type: 'Deleted', object: changed }]);
    expect((events[0] as { object: Pod }).object).toBe(changed);
  });

  it('tracks keys that come and go over many lists (deleted keys make room for new ones)', () => {
    const diff = new ListDiff<Pod>({ keyFunc: podKey, versionFunc: podVersion });
    diff.reset([pod('a', '1'), pod('b', '1'), pod('c', '1')]);
    const { events, sink } = collect();
    diff.diff([pod('a', '1'), pod('c', '1')], sink);
    diff.diff([pod('a', '1'), pod('c', '1'), pod('d', '1'), pod('b', '1')], sink);
    diff.diff([pod('a', '1'), pod('c', '1'), pod('d', '2'), pod('b', '1')], sink);
    diff.diff([pod('b', '2'), pod('c', '1')], sink);
    expect(events).toEqual([
      { type: 'Deleted', object: pod('b', '1') },
      { type: 'Added', object: pod('d', '1') },
      { type: 'Added', object: pod('b', '1') },
      { type: 'Modified', object: pod('d', '2') },
      { type: 'Modified', object: pod('b', '2') },
      { type: 'Deleted', object: pod('a', '1') },
      { type: 'Deleted', object: pod('d', '2') },
    ]);
    expect(diff.size).toBe(2);
  });
});
