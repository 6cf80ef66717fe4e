// A port of client-go tools/cache/delta_fifo_test.go. Test names keep client-go's, so each case
// can be read against the original.
import { describe, expect, it } from 'vitest';
import { DeletedFinalStateUnknown } from '../../src/informer/deleted-final-state-unknown.js';
import {
  type Delta,
  DeltaFIFO,
  type Deltas,
  DeltaType,
  RequeueError,
} from '../../src/informer/delta-fifo.js';
import { InformerError } from '../../src/informer/errors.js';
import {
  literalListerGetter,
  mkFifoObj,
  pop,
  type TestFifoObject,
  testFifoObjectKeyFunc,
  testPop,
} from './fixtures.js';

const { Added, Updated, Deleted, Replaced, Sync } = DeltaType;
type Obj = TestFifoObject;

function d(type: DeltaType, object: Obj | DeletedFinalStateUnknown<Obj>): Delta<Obj> {
  return { type, object };
}

function tombstone(key: string, obj: Obj | undefined): DeletedFinalStateUnknown<Obj> {
  return new DeletedFinalStateUnknown(key, obj);
}

function fifoWithKnown(known: Obj[], emitDeltaTypeReplaced = false): DeltaFIFO<Obj> {
  return new DeltaFIFO<Obj>({
    keyFunction: testFifoObjectKeyFunc,
    knownObjects: literalListerGetter(() => known),
    emitDeltaTypeReplaced,
  });
}

function fifoWithoutKnown(): DeltaFIFO<Obj> {
  return new DeltaFIFO<Obj>({ keyFunction: testFifoObjectKeyFunc });
}

async function expectPops(fifo: DeltaFIFO<Obj>, expected: Deltas<Obj>[]): Promise<void> {
  for (const deltas of expected) expect(await pop(fifo)).toStrictEqual(deltas);
}

/** settles reports whether a promise settles within a few event-loop turns. */
async function settles(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}

describe('DeltaFIFO', () => {
  it('TestDeltaFIFO_basic: keeps each producer’s items in order', async () => {
    const f = fifoWithoutKnown();
    const amount = 500;
    const producer = async (prefix: string): Promise<void> => {
      for (let i = 0; i < amount; i++) {
        f.add(mkFifoObj(`${prefix}${i}`, i + 1));
        if (i % 7 === 0) await Promise.resolve();
      }
    };
    void producer('a');
    void producer('b');
    const last = new Map<string, number>([
      ['a', 0],
      ['b', 0],
    ]);
    for (let i = 0; i < amount * 2; i++) {
      const obj = await testPop(f);
      const prefix = obj.name[0]!;
      expect(obj.val as number).toBeGreaterThan(last.get(prefix)!);
      last.set(prefix, obj.val as number);
    }
  });

  // https://github.com/kubernetes/kubernetes/issues/83810
  it('TestDeltaFIFO_replaceWithDeleteDeltaIn: a listed object gets a Sync after a queued Delete', async () => {
    const oldObj = mkFifoObj('foo', 1);
    const newObj = mkFifoObj('foo', 2);
    const f = fifoWithKnown([oldObj]);
    f.delete(oldObj);
    f.replace([newObj], '');
    expect(await pop(f)).toStrictEqual([d(Deleted, oldObj), d(Sync, newObj)]);
  });

  describe('TestDeltaFIFOW_ReplaceMakesDeletionsForObjectsOnlyInQueue', () => {
    const obj = mkFifoObj('foo', 2);
    const objV2 = mkFifoObj('foo', 3);
    const table: Array<{
      name: string;
      emitDeltaTypeReplaced?: boolean;
      operations: (f: DeltaFIFO<Obj>) => void;
      expectedDeltas: Deltas<Obj>;
    }> = [
      {
        name: 'Added object should be deleted on Replace',
        operations: (f) => {
          f.add(obj);
          f.replace([], '0');
        },
        expectedDeltas: [d(Added, obj), d(Deleted, tombstone('foo', obj))],
      },
      {
        name: 'Replaced object should have only a single Delete',
        emitDeltaTypeReplaced: true,
        operations: (f) => {
          f.add(obj);
          f.replace([obj], '0');
          f.replace([], '0');
        },
        expectedDeltas: [d(Added, obj), d(Replaced, obj), d(Deleted, tombstone('foo', obj))],
      },
      {
        name: 'Deleted object should have only a single Delete',
        operations: (f) => {
          f.add(obj);
          f.delete(obj);
          f.replace([], '0');
        },
        expectedDeltas: [d(Added, obj), d(Deleted, obj)],
      },
      {
        name: 'Synced objects should have a single delete',
        operations: (f) => {
          f.add(obj);
          f.replace([obj], '0');
          f.replace([obj], '0');
          f.replace([], '0');
        },
        expectedDeltas: [
          d(Added, obj),
          d(Sync, obj),
          d(Sync, obj),
          d(Deleted, tombstone('foo', obj)),
        ],
      },
      {
        name: 'Added objects should have a single delete on multiple Replaces',
        operations: (f) => {
          f.add(obj);
          f.replace([], '0');
          f.replace([], '1');
        },
        expectedDeltas: [d(Added, obj), d(Deleted, tombstone('foo', obj))],
      },
      {
        name: 'Added and deleted and added object should be deleted',
        operations: (f) => {
          f.add(obj);
          f.delete(obj);
          f.add(objV2);
          f.replace([], '0');
        },
        expectedDeltas: [
          d(Added, obj),
          d(Deleted, obj),
          d(Added, objV2),
          d(Deleted, tombstone('foo', objV2)),
        ],
      },
    ];
    for (const tt of table) {
      it(tt.name, async () => {
        const withKnown = fifoWithKnown([], tt.emitDeltaTypeReplaced);
        tt.operations(withKnown);
        expect(await pop(withKnown)).toStrictEqual(tt.expectedDeltas);
        expect(withKnown.listKeys()).toEqual([]);

        const withoutKnown = new DeltaFIFO<Obj>({
          keyFunction: testFifoObjectKeyFunc,
          emitDeltaTypeReplaced: tt.emitDeltaTypeReplaced ?? false,
        });
        tt.operations(withoutKnown);
        expect(await pop(withoutKnown)).toStrictEqual(tt.expectedDeltas);
        expect(withoutKnown.listKeys()).toEqual([]);
      });
    }
  });

  it('TestDeltaFIFO_requeueOnPop: RequeueError puts the item back, with or without an error', async () => {
    const f = fifoWithoutKnown();
    f.add(mkFifoObj('foo', 10));
    await f.pop((deltas) => {
      expect((deltas[0]!.object as Obj).name).toBe('foo');
      throw new RequeueError('requeue');
    });
    expect(f.getByKey('foo')).toBeDefined();

    const testError = new Error('test error');
    await expect(
      f.pop(() => {
        throw new RequeueError('requeue', { cause: testError });
      }),
    ).rejects.toBe(testError);
    expect(f.getByKey('foo')).toBeDefined();

    await f.pop(() => {});
    expect(f.getByKey('foo')).toBeUndefined();
  });

  it('TestDeltaFIFO_addUpdate: accumulates add, update and delete of one key', async () => {
    const f = fifoWithoutKnown();
    f.add(mkFifoObj('foo', 10));
    f.update(mkFifoObj('foo', 12));
    f.delete(mkFifoObj('foo', 15));
    expect(f.list()).toEqual([mkFifoObj('foo', 15)]);
    expect(f.listKeys()).toEqual(['foo']);

    expect((await testPop(f)).val).toBe(15);
    expect(await settles(pop(f))).toBe(false); // no second value
    expect(f.get(mkFifoObj('foo', ''))).toBeUndefined();
  });

  it('TestDeltaFIFO_enqueueingNoLister: a delete of an unknown key enqueues nothing', async () => {
    const f = fifoWithoutKnown();
    f.add(mkFifoObj('foo', 10));
    f.update(mkFifoObj('bar', 15));
    f.add(mkFifoObj('qux', 17));
    f.delete(mkFifoObj('qux', 18));
    // This delete does not enqueue anything because baz doesn't exist.
    f.delete(mkFifoObj('baz', 20));
    for (const expected of [10, 15, 18]) expect((await testPop(f)).val).toBe(expected);
    expect(f.length).toBe(0);
  });

  it('TestDeltaFIFO_enqueueingWithLister: a delete of a known key is enqueued', async () => {
    const f = fifoWithKnown([mkFifoObj('foo', 5), mkFifoObj('bar', 6), mkFifoObj('baz', 7)]);
    f.add(mkFifoObj('foo', 10));
    f.update(mkFifoObj('bar', 15));
    // This delete does enqueue the deletion, because "baz" is in the key lister.
    f.delete(mkFifoObj('baz', 20));
    for (const expected of [10, 15, 20]) expect((await testPop(f)).val).toBe(expected);
    expect(f.length).toBe(0);
  });

  it('TestDeltaFIFO_addReplace: a replace after an add pops once, with the listed value', async () => {
    const f = fifoWithoutKnown();
    f.add(mkFifoObj('foo', 10));
    f.replace([mkFifoObj('foo', 15)], '0');
    expect((await testPop(f)).val).toBe(15);
    expect(await settles(pop(f))).toBe(false);
    expect(f.get(mkFifoObj('foo', ''))).toBeUndefined();
  });

  it('TestDeltaFIFO_ResyncNonExisting: resync skips a key with a queued delete', () => {
    const f = fifoWithKnown([mkFifoObj('foo', 5)]);
    f.delete(mkFifoObj('foo', 10));
    f.resync();
    const deltas = f.getByKey('foo')!;
    expect(deltas).toHaveLength(1);
    expect(deltas[0]!.type).toBe(Deleted);
  });

  it('TestDeltaFIFO_Resync: resync queues a Sync for a known object', () => {
    const f = fifoWithKnown([mkFifoObj('foo', 5)]);
    f.resync();
    const deltas = f.getByKey('foo')!;
    expect(deltas).toHaveLength(1);
    expect(deltas[0]!.type).toBe(Sync);
  });

  it('TestDeltaFIFO_DeleteExistingNonPropagated: a delete of a queued-only key is kept', () => {
    const f = fifoWithKnown([]);
    f.add(mkFifoObj('foo', 5));
    f.delete(mkFifoObj('foo', 6));
    const deltas = f.getByKey('foo')!;
    expect(deltas).toHaveLength(2);
    expect(deltas[1]!.type).toBe(Deleted);
  });

  describe('TestDeltaFIFO_ReplaceMakesDeletions', () => {
    // Only one pre-existing object per key: there is no promise about how deletes are ordered
    // (Go map order); here the order is insertion order.
    const known = (): Obj[] => [mkFifoObj('foo', 5), mkFifoObj('bar', 6), mkFifoObj('baz', 7)];

    it('with a pre-existing Delete', async () => {
      const f = fifoWithKnown(known());
      f.delete(mkFifoObj('baz', 10));
      f.replace([mkFifoObj('foo', 5)], '0');
      await expectPops(f, [
        [d(Deleted, mkFifoObj('baz', 10))],
        [d(Sync, mkFifoObj('foo', 5))],
        // "bar" had no delete event and is not in the list: a tombstone with the known object.
        [d(Deleted, tombstone('bar', mkFifoObj('bar', 6)))],
      ]);
    });

    it('starting with an Add instead of a Delete', async () => {
      const f = fifoWithKnown(known());
      f.add(mkFifoObj('baz', 10));
      f.replace([mkFifoObj('foo', 5)], '0');
      await expectPops(f, [
        [d(Added, mkFifoObj('baz', 10)), d(Deleted, tombstone('baz', mkFifoObj('baz', 10)))],
        [d(Sync, mkFifoObj('foo', 5))],
        [d(Deleted, tombstone('bar', mkFifoObj('bar', 6)))],
      ]);
    });

    it('deleting and recreating the object in the queue, then deleting it by a Replace', async () => {
      const f = fifoWithKnown(known());
      f.delete(mkFifoObj('bar', 6));
      f.add(mkFifoObj('bar', 100));
      f.replace([mkFifoObj('foo', 5)], '0');
      await expectPops(f, [
        [
          d(Deleted, mkFifoObj('bar', 6)),
          d(Added, mkFifoObj('bar', 100)),
          // A newer object is queued than known: the tombstone carries the queued one.
          d(Deleted, tombstone('bar', mkFifoObj('bar', 100))),
        ],
        [d(Sync, mkFifoObj('foo', 5))],
        [d(Deleted, tombstone('baz', mkFifoObj('baz', 7)))],
      ]);
    });

    it('syncing it first so that the delete uses the latest version', async () => {
      const f = fifoWithKnown(known());
      f.replace([mkFifoObj('bar', 100), mkFifoObj('foo', 5)], '0');
      f.replace([mkFifoObj('foo', 5)], '0');
      await expectPops(f, [
        [d(Sync, mkFifoObj('bar', 100)), d(Deleted, tombstone('bar', mkFifoObj('bar', 100)))],
        [d(Sync, mkFifoObj('foo', 5)), d(Sync, mkFifoObj('foo', 5))],
        [d(Deleted, tombstone('baz', mkFifoObj('baz', 7)))],
      ]);
    });

    it('without an explicit KeyListerGetter', async () => {
      const f = fifoWithoutKnown();
      f.add(mkFifoObj('baz', 10));
      f.replace([mkFifoObj('foo', 5)], '0');
      await expectPops(f, [
        [d(Added, mkFifoObj('baz', 10)), d(Deleted, tombstone('baz', mkFifoObj('baz', 10)))],
        [d(Sync, mkFifoObj('foo', 5))],
      ]);
    });
  });

  it('TestDeltaFIFO_ReplaceMakesDeletionsReplaced: the same with Replaced deltas', async () => {
    const f = fifoWithKnown([mkFifoObj('foo', 5), mkFifoObj('bar', 6), mkFifoObj('baz', 7)], true);
    f.delete(mkFifoObj('baz', 10));
    f.replace([mkFifoObj('foo', 6)], '0');
    await expectPops(f, [
      [d(Deleted, mkFifoObj('baz', 10))],
      [d(Replaced, mkFifoObj('foo', 6))],
      [d(Deleted, tombstone('bar', mkFifoObj('bar', 6)))],
    ]);
  });

  it('TestDeltaFIFO_ReplaceDeltaType: emitDeltaTypeReplaced emits Replaced', async () => {
    const f = fifoWithKnown([mkFifoObj('foo', 5)], true);
    f.replace([mkFifoObj('foo', 5)], '0');
    await expectPops(f, [[d(Replaced, mkFifoObj('foo', 5))]]);
  });

  it('TestDeltaFIFO_UpdateResyncRace: resync does not queue a stale Sync behind an Update', async () => {
    const f = fifoWithKnown([mkFifoObj('foo', 5)]);
    f.update(mkFifoObj('foo', 6));
    f.resync();
    await expectPops(f, [[d(Updated, mkFifoObj('foo', 6))]]);
  });

  it('TestDeltaFIFO_HasSyncedCorrectOnDeletion: tombstones of the first replace count', async () => {
    const f = fifoWithKnown([mkFifoObj('foo', 5), mkFifoObj('bar', 6), mkFifoObj('baz', 7)]);
    f.replace([mkFifoObj('foo', 5)], '0');
    const expected: Deltas<Obj>[] = [
      [d(Sync, mkFifoObj('foo', 5))],
      [d(Deleted, tombstone('bar', mkFifoObj('bar', 6)))],
      [d(Deleted, tombstone('baz', mkFifoObj('baz', 7)))],
    ];
    for (const deltas of expected) {
      expect(f.hasSynced()).toBe(false);
      expect(await pop(f)).toStrictEqual(deltas);
    }
    expect(f.hasSynced()).toBe(true);
  });

  it('TestDeltaFIFO_detectLineJumpers: a re-added key does not jump the line', async () => {
    const f = fifoWithoutKnown();
    f.add(mkFifoObj('foo', 10));
    f.add(mkFifoObj('bar', 1));
    f.add(mkFifoObj('foo', 11));
    f.add(mkFifoObj('foo', 13));
    f.add(mkFifoObj('zab', 30));
    expect((await testPop(f)).val).toBe(13);
    f.add(mkFifoObj('foo', 14)); // ensure foo doesn't jump back in line
    expect((await testPop(f)).val).toBe(1);
    expect((await testPop(f)).val).toBe(30);
    expect((await testPop(f)).val).toBe(14);
  });

  it('TestDeltaFIFO_addIfNotPresent: requeued deltas never override newer ones', async () => {
    const f = fifoWithoutKnown();
    let error: unknown;
    try {
      f.addIfNotPresent([]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InformerError);
    expect((error as InformerError).code).toBe('KEY_FAILED');

    f.add(mkFifoObj('b', 3));
    const b3 = await pop(f);
    f.add(mkFifoObj('c', 4));
    const c4 = await pop(f);
    expect(f.length).toBe(0);

    f.add(mkFifoObj('a', 1));
    f.add(mkFifoObj('b', 2));
    f.addIfNotPresent(b3);
    f.addIfNotPresent(c4);
    expect(f.length).toBe(3);
    for (const expected of [1, 2, 4]) expect((await testPop(f)).val).toBe(expected);
  });

  it('TestDeltaFIFO_KeyOf: keys objects and tombstones', () => {
    const f = fifoWithoutKnown();
    expect(f.keyOf(mkFifoObj('A', undefined))).toBe('A');
    expect(f.keyOf(tombstone('B', undefined))).toBe('B');
  });

  describe('TestDeltaFIFO_HasSynced', () => {
    const table: Array<{ name: string; actions: Array<(f: DeltaFIFO<Obj>) => unknown> }> = [
      { name: 'no action', actions: [] },
      { name: 'an add', actions: [(f) => f.add(mkFifoObj('a', 1))] },
      { name: 'an empty replace', actions: [(f) => f.replace([], '0')] },
      {
        name: 'a replace of two',
        actions: [(f) => f.replace([mkFifoObj('a', 1), mkFifoObj('b', 2)], '0')],
      },
      {
        name: 'a replace of two, one popped',
        actions: [(f) => f.replace([mkFifoObj('a', 1), mkFifoObj('b', 2)], '0'), (f) => pop(f)],
      },
      {
        name: 'a replace of two, both popped',
        actions: [
          (f) => f.replace([mkFifoObj('a', 1), mkFifoObj('b', 2)], '0'),
          (f) => pop(f),
          (f) => pop(f),
        ],
      },
      {
        // Cannot happen with a consistent lister: a list never holds one key twice.
        name: 'a replace of one key twice, popped once',
        actions: [(f) => f.replace([mkFifoObj('a', 1), mkFifoObj('a', 2)], '0'), (f) => pop(f)],
      },
    ];
    const expectedSynced = [false, true, true, false, false, true, true];
    table.forEach((test, i) => {
      it(`${test.name} → ${expectedSynced[i]}`, async () => {
        const f = fifoWithoutKnown();
        for (const action of test.actions) await action(f);
        expect(f.hasSynced()).toBe(expectedSynced[i]);
      });
    });
  });

  it('TestDeltaFIFO_PopShouldUnblockWhenClosed: close() releases every blocked pop', async () => {
    const f = fifoWithKnown([mkFifoObj('foo', 5)]);
    const pops = Array.from({ length: 10 }, () => pop(f));
    expect(await settles(Promise.race(pops))).toBe(false);
    f.close();
    const results = await Promise.allSettled(pops);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'FIFO_CLOSED' });
    }
  });

  it('pops the items still queued after close() before reporting FIFO_CLOSED', async () => {
    const f = fifoWithoutKnown();
    f.add(mkFifoObj('foo', 1));
    f.close();
    expect((await testPop(f)).name).toBe('foo');
    await expect(pop(f)).rejects.toMatchObject({ code: 'FIFO_CLOSED' });
  });

  it('passes isInInitialList = true only for the items of the first replace', async () => {
    const f = fifoWithoutKnown();
    f.replace([mkFifoObj('a', 1), mkFifoObj('b', 2)], '1');
    const seen: boolean[] = [];
    const record = (_: Deltas<Obj>, isInInitialList: boolean): void => {
      seen.push(isInInitialList);
    };
    await f.pop(record);
    f.add(mkFifoObj('c', 3));
    await f.pop(record);
    await f.pop(record);
    expect(seen).toEqual([true, true, false]);
  });

  describe('resourceVersion marks', () => {
    it('report a resourceVersion once everything queued before it is popped', async () => {
      const reached: string[] = [];
      const f = new DeltaFIFO<Obj>({
        keyFunction: testFifoObjectKeyFunc,
        onResourceVersionPopped: (rv) => reached.push(rv),
      });
      f.replace([mkFifoObj('a', 1), mkFifoObj('b', 1)], '1');
      f.updateResourceVersion('1');
      f.add(mkFifoObj('c', 1));
      f.updateResourceVersion('2');
      await pop(f);
      expect(reached).toEqual([]);
      await pop(f);
      expect(reached).toEqual(['1']);
      await pop(f);
      expect(reached).toEqual(['1', '2']);
    });

    it('report at once when nothing is queued', () => {
      const reached: string[] = [];
      const f = new DeltaFIFO<Obj>({
        keyFunction: testFifoObjectKeyFunc,
        onResourceVersionPopped: (rv) => reached.push(rv),
      });
      f.updateResourceVersion('7');
      expect(reached).toEqual(['7']);
    });

    it('count an accumulated key once: deltas added to a queued key do not move the mark', async () => {
      const reached: string[] = [];
      const f = new DeltaFIFO<Obj>({
        keyFunction: testFifoObjectKeyFunc,
        onResourceVersionPopped: (rv) => reached.push(rv),
      });
      f.add(mkFifoObj('a', 1));
      f.updateResourceVersion('1');
      f.update(mkFifoObj('a', 2)); // joins the queued key: popped together, before the mark
      expect(await pop(f)).toStrictEqual([
        d(Added, mkFifoObj('a', 1)),
        d(Updated, mkFifoObj('a', 2)),
      ]);
      expect(reached).toEqual(['1']);
    });
  });
});
