import { describe, expect, it } from 'vitest';
import { EventsExpiredError, SubscriberTooSlowError } from '../../src/events/errors.js';
import { MemoryEventBus } from '../../src/events/event-bus.js';
import { matchesEvent } from '../../src/events/event-filter.js';
import { compareSequences, parseSequence } from '../../src/events/event-sequence.js';
import { EventService } from '../../src/events/event-service.js';
import { assertResumable, type EventStream } from '../../src/events/event-stream.js';
import type { InventoryKind } from '../../src/events/inventory-change.js';
import { ExpectedError, InputError } from '../../src/lib/expected-error.js';
import { silentLogger } from '../../src/lib/logger.js';
import { MemoryEventLog, vmEvent } from './fixtures.js';

function setup(options: { buffer?: number; pageSize?: number } = {}) {
  const bus = new MemoryEventBus((err) => {
    throw err;
  });
  const log = new MemoryEventLog();
  const service = new EventService({
    bus,
    reader: log,
    logger: silentLogger,
    subscriberBuffer: options.buffer ?? 100,
    pageSize: options.pageSize ?? 100,
  });
  /** commit appends to the log and publishes, as the sync does after its commit. */
  const commit = (...sequences: number[]) => {
    const events = sequences.map((s) => vmEvent(s));
    log.append(...events);
    bus.publish(events);
  };
  return { bus, log, service, commit };
}

/** take pulls `count` items from a stream (events or the final error). */
async function take<K extends InventoryKind>(stream: EventStream<K>, count: number) {
  const items = [];
  for (let i = 0; i < count; i++) {
    const { value, done } = await stream.next();
    if (done) break;
    items.push(value);
  }
  return items;
}

const sequences = (items: unknown[]) =>
  items.map((item) => (item instanceof Error ? item : (item as { sequence: string }).sequence));

describe('event sequences', () => {
  it('parseSequence normalises decimal sequences and refuses anything else as BAD_USER_INPUT', () => {
    expect(parseSequence('0')).toBe('0');
    expect(parseSequence(' 0042 ')).toBe('42');
    expect(parseSequence('9223372036854775807')).toBe('9223372036854775807');
    for (const bad of [
      '',
      'abc',
      '-1',
      '1.5',
      '1e3',
      '9223372036854775808',
      '12345678901234567890',
    ]) {
      const error = (() => {
        try {
          parseSequence(bad);
        } catch (err) {
          return err;
        }
      })();
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).code).toBe('BAD_USER_INPUT');
      expect((error as InputError).details.field).toBe('after');
    }
  });

  it('compareSequences orders numerically beyond 2^53, where numbers would not', () => {
    expect(compareSequences('9', '10')).toBeLessThan(0);
    expect(compareSequences('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
    expect(compareSequences('123', '123')).toBe(0);
    expect(['10', '9', '100', '11'].sort(compareSequences)).toEqual(['9', '10', '11', '100']);
  });
});

describe('MemoryEventBus', () => {
  it('hands each batch to every listener; one that throws does not keep it from the others', () => {
    const errors: unknown[] = [];
    const bus = new MemoryEventBus((err) => errors.push(err));
    const seen: string[] = [];
    const leave = bus.subscribe(() => {
      throw new Error('listener failed');
    });
    bus.subscribe((events) => seen.push(...events.map((e) => e.sequence)));
    bus.publish([vmEvent(1), vmEvent(2)]);
    expect(seen).toEqual(['1', '2']);
    expect(errors).toHaveLength(1);
    leave();
    leave();
    expect(bus.listenerCount).toBe(1);
  });
});

describe('matchesEvent', () => {
  it('matches kind, cluster, vmid, and the old or the new node of a guest', () => {
    const moved = vmEvent(1, { node: 'pve2', previousNode: 'pve1' }, { node: 'pve2' });
    expect(matchesEvent({ kind: 'vm' }, moved)).toBe(true);
    expect(matchesEvent({ kind: 'node' }, moved)).toBe(false);
    expect(matchesEvent({ kind: 'vm', node: 'pve1' }, moved)).toBe(true);
    expect(matchesEvent({ kind: 'vm', node: 'pve2' }, moved)).toBe(true);
    expect(matchesEvent({ kind: 'vm', node: 'pve3' }, moved)).toBe(false);
    expect(matchesEvent({ kind: 'vm', clusterId: 1, vmid: 100 }, moved)).toBe(true);
    expect(matchesEvent({ kind: 'vm', clusterId: 2 }, moved)).toBe(false);
    expect(matchesEvent({ kind: 'vm', vmid: 101 }, moved)).toBe(false);
  });
});

describe('assertResumable', () => {
  const page = (oldest: string | null, assigned: string) => ({ events: [], oldest, assigned });
  it.each([
    ['an after just before the oldest event kept', '9', page('10', '20'), true],
    ['an after inside the log', '15', page('10', '20'), true],
    ['the newest sequence', '20', page('10', '20'), true],
    ['an after whose next events were pruned', '8', page('10', '20'), false],
    ['an after beyond every sequence assigned (another database)', '21', page('10', '20'), false],
    ['any after up to the last assigned on an empty log', '7', page(null, '7'), true],
    ['0 on a log that never had an event', '0', page(null, '0'), true],
    ['1 on a log that never had an event', '1', page(null, '0'), false],
  ])('%s', (_name, after, bounds, resumable) => {
    const check = () => assertResumable(after, bounds);
    if (resumable) expect(check).not.toThrow();
    else expect(check).toThrow(EventsExpiredError);
  });
});

describe('EventStream', () => {
  it('live: delivers the matching events once, in order, as they are published', async () => {
    const { bus, service } = setup();
    const stream = await service.subscribe({ filter: { kind: 'vm', node: 'pve1' } });
    bus.publish([vmEvent(1), vmEvent(2, { node: 'pve9' }, { node: 'pve9' }), vmEvent(3)]);
    bus.publish([vmEvent(4, { node: 'pve2', previousNode: 'pve1' })]);
    expect(sequences(await take(stream, 3))).toEqual(['1', '3', '4']);
    await stream.return();
  });

  it('never drops a live event for arriving out of sequence order; drops only what the log gave', async () => {
    const { bus, log, service } = setup();
    log.append(vmEvent(1), vmEvent(2));
    const stream = await service.subscribe({ filter: { kind: 'vm' }, after: '0' });
    expect(sequences(await take(stream, 2))).toEqual(['1', '2']);
    bus.publish([vmEvent(2), vmEvent(5)]);
    bus.publish([vmEvent(4)]);
    expect(sequences(await take(stream, 2))).toEqual(['5', '4']);
    await stream.return();
  });

  it('a pending next() gets the next event as soon as it is published', async () => {
    const { bus, service } = setup();
    const stream = await service.subscribe({ filter: { kind: 'vm' } });
    const pending = stream.next();
    bus.publish([vmEvent(7)]);
    expect((await pending).value).toMatchObject({ sequence: '7' });
    await stream.return();
  });

  it('resume: replays the log page by page, then turns live with no gap and no duplicate', async () => {
    const { log, service, commit } = setup({ pageSize: 2 });
    log.append(...[1, 2, 3, 4, 5].map((s) => vmEvent(s)));
    // While the replay reads, the sync commits and publishes more.
    let next = 6;
    log.duringRead = () => commit(next++);
    const stream = await service.subscribe({ filter: { kind: 'vm' }, after: '2' });
    const first = await take(stream, 6);
    log.duringRead = undefined;
    commit(20, 21);
    const rest = await take(stream, 2);
    expect(sequences([...first, ...rest])).toEqual(
      [...log.events.map((e) => e.sequence)].filter((s) => compareSequences(s, '2') > 0),
    );
    await stream.return();
  });

  it('resume: events published before the read, and read again from the log, come once', async () => {
    const { log, bus, service } = setup();
    log.append(vmEvent(1), vmEvent(2));
    // Committed (in the log) but published only after the subscriber joined the bus.
    log.duringRead = () => bus.publish([vmEvent(2)]);
    const stream = await service.subscribe({ filter: { kind: 'vm' }, after: '0' });
    log.duringRead = undefined;
    bus.publish([vmEvent(3)]);
    expect(sequences(await take(stream, 3))).toEqual(['1', '2', '3']);
    await stream.return();
  });

  it('resume: too many live events while catching up are dropped and read again from the log', async () => {
    const { log, service, commit, bus } = setup({ buffer: 3, pageSize: 2 });
    log.append(...[1, 2, 3].map((s) => vmEvent(s)));
    let next = 4;
    let reads = 0;
    // Each read sees 5 more committed: more than the 3 the stream may hold.
    log.duringRead = () => {
      if (++reads <= 3) for (let i = 0; i < 5; i++) commit(next++);
    };
    const stream = await service.subscribe({ filter: { kind: 'vm' }, after: '0' });
    const items = await take(stream, 3 + 3 * 5);
    expect(sequences(items)).toEqual(log.events.map((e) => e.sequence));
    expect(log.reads).toBeGreaterThan(3);
    expect(bus.listenerCount).toBe(1);
    commit(next);
    expect(sequences(await take(stream, 1))).toEqual([String(next)]);
    await stream.return();
    expect(bus.listenerCount).toBe(0);
  });

  it('ends a subscriber that does not keep up with SUBSCRIBER_TOO_SLOW, leaving the bus at once', async () => {
    const { bus, service } = setup({ buffer: 3 });
    const slow = await service.subscribe({ filter: { kind: 'vm' } });
    const fast = await service.subscribe({ filter: { kind: 'vm' } });
    bus.publish([vmEvent(1), vmEvent(2)]);
    expect(sequences(await take(slow, 1))).toEqual(['1']);
    expect(sequences(await take(fast, 2))).toEqual(['1', '2']);
    bus.publish([vmEvent(3), vmEvent(4)]);
    expect(bus.listenerCount).toBe(2);
    bus.publish([vmEvent(5)]);
    expect(bus.listenerCount).toBe(1);
    const [error] = await take(slow, 1);
    expect(error).toBeInstanceOf(SubscriberTooSlowError);
    expect(error).toMatchObject({
      code: 'SUBSCRIBER_TOO_SLOW',
      details: { resumeAfter: '1', buffer: 3 },
    });
    expect((error as Error).message).toMatch(/after: "1"/);
    expect(await slow.next()).toEqual({ value: undefined, done: true });
    // The other subscriber never noticed.
    expect(sequences(await take(fast, 3))).toEqual(['3', '4', '5']);
    expect(service.openStreams).toBe(1);
    await fast.return();
    expect(service.openStreams).toBe(0);
  });

  it('return() while next() waits ends the wait and releases the bus listener', async () => {
    const { bus, service } = setup();
    const stream = await service.subscribe({ filter: { kind: 'vm' } });
    expect(bus.listenerCount).toBe(1);
    const pending = stream.next();
    await stream.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(bus.listenerCount).toBe(0);
    expect(service.openStreams).toBe(0);
    bus.publish([vmEvent(1)]);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('refuses an expired after before any event and leaves nothing behind', async () => {
    const { bus, log, service } = setup();
    log.append(vmEvent(10), vmEvent(11));
    await expect(service.subscribe({ filter: { kind: 'vm' }, after: '5' })).rejects.toMatchObject({
      code: 'EVENTS_EXPIRED',
      details: { after: '5' },
    });
    await expect(service.subscribe({ filter: { kind: 'vm' }, after: 'x' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    expect(bus.listenerCount).toBe(0);
    expect(service.openStreams).toBe(0);
  });

  it('ends with EVENTS_UNAVAILABLE (resumable) when the log cannot be read while catching up', async () => {
    const { log, service, bus } = setup({ pageSize: 1 });
    log.append(vmEvent(1), vmEvent(2));
    const stream = await service.subscribe({ filter: { kind: 'vm' }, after: '0' });
    expect(sequences(await take(stream, 1))).toEqual(['1']);
    log.failure = new Error('connection terminated');
    const [error] = await take(stream, 1);
    expect(error).toBeInstanceOf(ExpectedError);
    expect(error).toMatchObject({ code: 'EVENTS_UNAVAILABLE', details: { resumeAfter: '1' } });
    expect((error as Error).message).not.toMatch(/connection terminated/);
    expect(await stream.next()).toMatchObject({ done: true });
    expect(bus.listenerCount).toBe(0);
  });

  it('close() ends every open stream', async () => {
    const { service, bus } = setup();
    const a = await service.subscribe({ filter: { kind: 'vm' } });
    const b = await service.subscribe({ filter: { kind: 'node' } });
    const pending = a.next();
    service.close();
    expect(await pending).toMatchObject({ done: true });
    expect(await b.next()).toMatchObject({ done: true });
    expect(bus.listenerCount).toBe(0);
  });
});
