import { DeletedFinalStateUnknown } from '../../src/informer/deleted-final-state-unknown.js';
import { type DeltaFIFO, type Deltas, newestDelta } from '../../src/informer/delta-fifo.js';
import { ListFeed } from '../../src/informer/list-feed.js';
import type { ListerWatcher } from '../../src/informer/list-watch.js';
import { PollingWatch, type PollingWatchOptions } from '../../src/informer/polling-watch.js';
import { SharedInformer, type SharedInformerOptions } from '../../src/informer/shared-informer.js';
import type { KeyListerGetter } from '../../src/informer/store.js';
import type { FakeClock } from '../../src/lib/clock.js';

/** TestFifoObject mirrors client-go's testFifoObject: a name and a value. */
export interface TestFifoObject {
  readonly name: string;
  readonly val: unknown;
}

/** mkFifoObj mirrors client-go's mkFifoObj. */
export function mkFifoObj(name: string, val: unknown): TestFifoObject {
  return { name, val };
}

/** testFifoObjectKeyFunc keys a TestFifoObject by name. */
export const testFifoObjectKeyFunc = (obj: TestFifoObject): string => obj.name;

/**
 * literalListerGetter is a KeyListerGetter over a function returning the objects to list and
 * get; the function must list the same objects every time (client-go's literalListerGetter).
 */
export function literalListerGetter(list: () => TestFifoObject[]): KeyListerGetter<TestFifoObject> {
  return {
    listKeys: () => list().map((obj) => obj.name),
    getByKey: (key) => list().find((obj) => obj.name === key),
  };
}

/** pop pops one item, accepting it (client-go's Pop helper). */
export function pop<T>(fifo: DeltaFIFO<T>): Promise<Deltas<T>> {
  return fifo.pop(() => {});
}

/** testPop pops one item and returns its newest object (client-go's testPop). */
export async function testPop(fifo: DeltaFIFO<TestFifoObject>): Promise<TestFifoObject> {
  const object = newestDelta(await pop(fifo))?.object;
  if (object === undefined || object instanceof DeletedFinalStateUnknown) {
    throw new Error(`expected an object, got ${String(object)}`);
  }
  return object;
}

/** Pod is the object type of the reflector and informer tests: a name and a resourceVersion. */
export interface Pod {
  readonly name: string;
  readonly rv: string;
  readonly node?: string;
}

/** pod builds a Pod. */
export function pod(name: string, rv = '1', node?: string): Pod {
  return node === undefined ? { name, rv } : { name, rv, node };
}

/** podKey and podVersion are the key and version functions of Pod. */
export const podKey = (obj: Pod): string => obj.name;
export const podVersion = (obj: Pod): string => obj.rv;

/** RecordedEvent is one handler call, as recorded by recordingHandler. */
export type RecordedEvent =
  | { kind: 'add'; obj: Pod; isInInitialList: boolean }
  | { kind: 'update'; oldObj: Pod; newObj: Pod }
  | { kind: 'delete'; obj: Pod | DeletedFinalStateUnknown<Pod> };

/** recordingHandler records every call it receives, in order. */
export function recordingHandler(): {
  events: RecordedEvent[];
  onAdd(obj: Pod, isInInitialList: boolean): void;
  onUpdate(oldObj: Pod, newObj: Pod): void;
  onDelete(obj: Pod | DeletedFinalStateUnknown<Pod>): void;
} {
  const events: RecordedEvent[] = [];
  return {
    events,
    onAdd: (obj, isInInitialList) => events.push({ kind: 'add', obj, isInInitialList }),
    onUpdate: (oldObj, newObj) => events.push({ kind: 'update', oldObj, newObj }),
    onDelete: (obj) => events.push({ kind: 'delete', obj }),
  };
}

/** names returns the names of the objects a recorded event concerns (the new one for updates). */
export function eventName(event: RecordedEvent): string {
  if (event.kind === 'update') return event.newObj.name;
  return event.obj instanceof DeletedFinalStateUnknown ? event.obj.key : event.obj.name;
}

/** Running is a started run(signal) loop and the way to stop it and await its end. */
export interface Running {
  stop(): Promise<void>;
}

/** startRunning calls target.run() with a fresh signal; stop() aborts it and awaits run(). */
export function startRunning(target: { run(signal: AbortSignal): Promise<void> }): Running {
  const controller = new AbortController();
  const running = target.run(controller.signal);
  return {
    stop: async () => {
      controller.abort();
      await running;
    },
  };
}

/** PodInformer is a SharedInformer of Pods with a recording handler and a collecting error sink. */
export interface PodInformer {
  informer: SharedInformer<Pod>;
  handler: ReturnType<typeof recordingHandler>;
  errors: Error[];
}

/**
 * podInformer builds the informer most tests use: Pod keys and versions, the given clock,
 * backoff without jitter (0.8 s, 1.6 s, …), errors collected, one recording handler.
 */
export function podInformer(
  lw: ListerWatcher<Pod>,
  clock: FakeClock,
  options: Partial<SharedInformerOptions<Pod>> = {},
): PodInformer {
  const errors: Error[] = [];
  const informer = new SharedInformer<Pod>(lw, {
    keyFunc: podKey,
    versionFunc: podVersion,
    clock,
    backoff: { jitter: 0 },
    onError: (error) => errors.push(error),
    ...options,
  });
  const handler = recordingHandler();
  informer.addEventHandler(handler);
  return { informer, handler, errors };
}

/** podPollingWatch builds a PollingWatch of Pods over `list`. */
export function podPollingWatch(
  list: (signal: AbortSignal) => Promise<readonly Pod[]>,
  clock: FakeClock,
  options: Partial<PollingWatchOptions<Pod>> = {},
): PollingWatch<Pod> {
  return new PollingWatch<Pod>({
    list,
    keyFunc: podKey,
    versionFunc: podVersion,
    intervalMs: 5_000,
    clock,
    ...options,
  });
}

/** podFeed builds a ListFeed of Pods. */
export function podFeed(): ListFeed<Pod> {
  return new ListFeed<Pod>({ keyFunc: podKey, versionFunc: podVersion });
}
