import { describe, expect, it } from 'vitest';
import { DueHeap, type DueItem } from '../../src/inventory/due-heap.js';

interface Job extends DueItem {
  name: string;
}

const job = (name: string): Job => ({ name, due: 0, heapIndex: -1 });

function drain(heap: DueHeap<Job>): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (let item = heap.pop(); item; item = heap.pop()) out.push([item.name, item.due]);
  return out;
}

/** A small deterministic pseudo-random sequence (tests must not depend on Math.random). */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

describe('DueHeap', () => {
  it('pops items by due time, earliest first', () => {
    const heap = new DueHeap<Job>();
    const [a, b, c] = [job('a'), job('b'), job('c')];
    heap.schedule(a, 30);
    heap.schedule(b, 10);
    heap.schedule(c, 20);
    expect(heap.peek()).toBe(b);
    expect(drain(heap)).toEqual([
      ['b', 10],
      ['c', 20],
      ['a', 30],
    ]);
    expect(a.heapIndex).toBe(-1);
  });

  it('moves a scheduled item earlier or later in place: one entry per item', () => {
    const heap = new DueHeap<Job>();
    const items = ['a', 'b', 'c', 'd'].map(job);
    for (const [i, item] of items.entries()) heap.schedule(item, (i + 1) * 10);
    heap.schedule(items[3]!, 5); // d: 40 → 5
    heap.schedule(items[0]!, 35); // a: 10 → 35
    expect(heap.size).toBe(4);
    expect(drain(heap).map(([name]) => name)).toEqual(['d', 'b', 'c', 'a']);
  });

  it('removes an item from anywhere, and ignores one that is not in it', () => {
    const heap = new DueHeap<Job>();
    const items = ['a', 'b', 'c', 'd', 'e'].map(job);
    for (const [i, item] of items.entries()) heap.schedule(item, i);
    heap.remove(items[1]!);
    heap.remove(items[1]!);
    heap.remove(job('stranger'));
    expect(items[1]!.heapIndex).toBe(-1);
    expect(drain(heap).map(([name]) => name)).toEqual(['a', 'c', 'd', 'e']);
  });

  it('stays ordered through thousands of random schedules, moves and removals', () => {
    const random = sequence(7);
    const heap = new DueHeap<Job>();
    const items = Array.from({ length: 2000 }, (_, i) => job(String(i)));
    const expected = new Map<Job, number>();
    for (let step = 0; step < 20_000; step++) {
      const item = items[Math.floor(random() * items.length)]!;
      if (random() < 0.2) {
        heap.remove(item);
        expected.delete(item);
      } else {
        const due = Math.floor(random() * 1_000_000);
        heap.schedule(item, due);
        expected.set(item, due);
      }
    }
    expect(heap.size).toBe(expected.size);
    const drained = drain(heap);
    expect(drained.map(([, due]) => due)).toEqual([...expected.values()].sort((x, y) => x - y));
    expect(new Set(drained.map(([name]) => name)).size).toBe(expected.size);
  });
});
