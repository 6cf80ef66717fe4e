/** DueItem is what a DueHeap orders: its due time, and its place in the heap (kept by the heap). */
export interface DueItem {
  /** When the item is due (any monotonic unit); read by the heap, set through schedule(). */
  due: number;
  /** The item's index in the heap, or -1 when it is not in it. Written by the heap only. */
  heapIndex: number;
}

/**
 * DueHeap is a binary min-heap of items by `due` whose items carry their own index, so moving an
 * item to a new due time or removing it is O(log n) in place: one entry per item, never a stale
 * duplicate to skip. It allocates nothing per item (the items are the caller's records). Items
 * due at the same time come out in no particular order.
 */
export class DueHeap<T extends DueItem> {
  readonly #items: T[] = [];

  /** size is the number of scheduled items. */
  get size(): number {
    return this.#items.length;
  }

  /** peek returns the item due first, without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** schedule sets an item's due time, adding it to the heap or moving it within. */
  schedule(item: T, due: number): void {
    item.due = due;
    if (item.heapIndex < 0) {
      item.heapIndex = this.#items.length;
      this.#items.push(item);
      this.#up(item.heapIndex);
      return;
    }
    this.#down(this.#up(item.heapIndex));
  }

  /** pop removes and returns the item due first. */
  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** remove takes an item out of the heap; an item not in it is ignored. */
  remove(item: T): void {
    const items = this.#items;
    const at = item.heapIndex;
    if (at < 0 || items[at] !== item) return;
    item.heapIndex = -1;
    const last = items.pop()!;
    if (last === item) return;
    items[at] = last;
    last.heapIndex = at;
    this.#down(this.#up(at));
  }

  /** #up moves the item at `i` towards the root while it is due before its parent; returns its index. */
  #up(i: number): number {
    const items = this.#items;
    const item = items[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent]!;
      if (above.due <= item.due) break;
      items[i] = above;
      above.heapIndex = i;
      i = parent;
    }
    items[i] = item;
    item.heapIndex = i;
    return i;
  }

  /** #down moves the item at `i` towards the leaves while a child is due before it. */
  #down(i: number): void {
    const items = this.#items;
    const item = items[i]!;
    const n = items.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && items[right]!.due < items[left]!.due ? right : left;
      const below = items[child]!;
      if (below.due >= item.due) break;
      items[i] = below;
      below.heapIndex = i;
      i = child;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
