// Ports of client-go util/workqueue/rate_limiting_queue_test.go and delaying_queue_test.go.
import { describe, expect, it } from 'vitest';
import { ItemExponentialFailureRateLimiter } from '../../src/informer/rate-limiter.js';
import { RateLimitingQueue } from '../../src/informer/rate-limiting-queue.js';
import { FakeClock } from '../../src/lib/clock.js';

function delayingQueue(clock: FakeClock): RateLimitingQueue {
  return new RateLimitingQueue({ clock });
}

describe('RateLimitingQueue', () => {
  it('TestRateLimitingQueue: addRateLimited waits the limiter’s delay; forget() resets it', async () => {
    const clock = new FakeClock();
    const queue = new RateLimitingQueue({
      clock,
      rateLimiter: new ItemExponentialFailureRateLimiter(1, 1_000),
    });
    queue.addRateLimited('one');
    expect(clock.nextTimerAt).toBe(1);
    queue.addRateLimited('one'); // 2 ms later than now: the earlier ready time is kept
    expect(queue.numRequeues('one')).toBe(2);
    queue.addRateLimited('two');
    await clock.advance(1);
    expect(queue.len()).toBe(2);
    queue.forget('one');
    expect(queue.numRequeues('one')).toBe(0);
  });

  it('TestSimpleQueue: an item appears only once its delay has passed', async () => {
    const clock = new FakeClock();
    const queue = delayingQueue(clock);
    queue.addAfter('foo', 50);
    expect(queue.waitingCount).toBe(1);
    expect(queue.len()).toBe(0);
    await clock.advance(60);
    expect(queue.len()).toBe(1);
    expect(queue.waitingCount).toBe(0);
    const item = await queue.get();
    queue.done(item!);
    await clock.advance(10_000);
    expect(queue.len()).toBe(0);
  });

  it('TestDeduping: a waiting item keeps the earlier of two ready times', async () => {
    const clock = new FakeClock();
    const queue = delayingQueue(clock);
    queue.addAfter('foo', 50);
    queue.addAfter('foo', 70);
    expect(queue.waitingCount).toBe(1);
    await clock.advance(60);
    expect(queue.len()).toBe(1);
    queue.done((await queue.get())!);
    await clock.advance(20);
    expect(queue.len()).toBe(0); // the later add was dropped

    queue.addAfter('foo', 50);
    queue.addAfter('foo', 30); // the earlier one wins
    expect(queue.waitingCount).toBe(1);
    await clock.advance(40);
    expect(queue.len()).toBe(1);
    queue.done((await queue.get())!);
    await clock.advance(20);
    expect(queue.len()).toBe(0);
  });

  it('TestAddTwoFireEarly: items become ready in ready-time order', async () => {
    const clock = new FakeClock();
    const queue = delayingQueue(clock);
    queue.addAfter('foo', 1_000);
    queue.addAfter('bar', 50);
    await clock.advance(60);
    expect(await queue.get()).toBe('bar');
    queue.addAfter('baz', 2_000);
    await clock.advance(1_000);
    expect(await queue.get()).toBe('foo');
    await clock.advance(2_000);
    expect(await queue.get()).toBe('baz');
  });

  it('TestCopyShifting: several ready at once come out earliest first', async () => {
    const clock = new FakeClock();
    const queue = delayingQueue(clock);
    queue.addAfter('foo', 1_000);
    queue.addAfter('bar', 500);
    queue.addAfter('baz', 250);
    expect(queue.waitingCount).toBe(3);
    await clock.advance(2_000);
    expect(await queue.getBatch()).toEqual(['baz', 'bar', 'foo']);
  });

  it('never loses a failed key: retried after its backoff even while still processing', async () => {
    const clock = new FakeClock();
    const queue = new RateLimitingQueue({
      clock,
      rateLimiter: new ItemExponentialFailureRateLimiter(5, 1_000),
    });
    queue.add('qemu/101');
    const attempts: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const [key] = await queue.getBatch();
      attempts.push(clock.now());
      queue.addRateLimited(key!); // the sync failed
      queue.done(key!);
      await clock.advance(20);
    }
    expect(attempts).toEqual([0, 20, 40]);
    expect(queue.numRequeues('qemu/101')).toBe(3);
    expect(queue.len()).toBe(1); // still there for the next attempt
  });

  it('keeps a retry of a key being processed dirty until done()', async () => {
    const clock = new FakeClock();
    const queue = new RateLimitingQueue({
      clock,
      rateLimiter: new ItemExponentialFailureRateLimiter(5, 1_000),
    });
    queue.add('k');
    const key = await queue.get();
    queue.addRateLimited(key!);
    await clock.advance(5);
    expect(queue.len()).toBe(0); // ready, but still being processed
    queue.done(key!);
    expect(queue.len()).toBe(1);
  });

  it('drops waiting items and cancels its timer at shutdown', async () => {
    const clock = new FakeClock();
    const queue = delayingQueue(clock);
    queue.addAfter('foo', 1_000);
    queue.shutDown();
    expect(clock.pendingTimers).toBe(0);
    queue.addAfter('bar', 10);
    await clock.advance(2_000);
    expect(queue.len()).toBe(0);
  });
});
