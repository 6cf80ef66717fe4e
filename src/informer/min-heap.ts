/**
 * MinHeap is a binary heap ordered by a numeric priority (smallest first); equal priorities come
 * out in insertion order, which keeps delayed queues deterministic.
 */
export class MinHeap<T> {
  #entries: Array<{ priority: number; seq: number; value: T }> = [];
  #seq = 0;

  /** size is the number of entries. */
  get size(): number {
    return this.#entries.length;
  }

  /** push inserts a value with its priority. */
  push(value: T, priority: number): void {
    const entries = this.#entries;
    entries.push({ priority, seq: this.#seq++, value });
    let i = entries.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  /** peek returns the smallest entry without removing it. */
  peek(): { priority: number; value: T } | undefined {
    return this.#entries[0];
  }

  /** pop removes and returns the smallest entry. */
  pop(): { priority: number; value: T } | undefined {
    const entries = this.#entries;
    const top = entries[0];
    const last = entries.pop();
    if (top === undefined || last === undefined || entries.length === 0) return top;
    entries[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < entries.length && this.#less(left, smallest)) smallest = left;
      if (right < entries.length && this.#less(right, smallest)) smallest = right;
      if (smallest === i) break;
      this.#swap(i, smallest);
      i = smallest;
    }
    return top;
  }

  /** clear removes every entry. */
  clear(): void {
    this.#entries = [];
  }

  #less(a: number, b: number): boolean {
    const x = this.#entries[a]!;
    const y = this.#entries[b]!;
    return x.priority < y.priority || (x.priority === y.priority && x.seq < y.seq);
  }

  #swap(a: number, b: number): void {
    const entries = this.#entries;
    [entries[a], entries[b]] = [entries[b]!, entries[a]!];
  }
}
