import { describe, expect, it } from 'vitest';
import { ArrayQueue } from '../../src/informer/array-queue.js';

describe('ArrayQueue', () => {
  it('hands items out in order across compactions and drains', () => {
    const queue = new ArrayQueue<number>();
    const out: number[] = [];
    let next = 0;
    // Bursts of growing size, drained partly then fully, cross the compaction threshold.
    for (const burst of [3, 1500, 10, 5000]) {
      for (let i = 0; i < burst; i++) queue.push(next++);
      for (let i = 0; i < Math.floor(burst / 3); i++) out.push(queue.shift()!);
      expect(queue.peek()).toBe(out.at(-1)! + 1);
      while (queue.length > 0) out.push(queue.shift()!);
      expect(queue.shift()).toBeUndefined();
    }
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  it('keeps what is queued after being drained and refilled', () => {
    const queue = new ArrayQueue<string>();
    queue.push('a');
    queue.shift();
    queue.push('b');
    queue.push('c');
    expect(queue.toArray()).toEqual(['b', 'c']);
    expect(queue.length).toBe(2);
  });
});
