/**
 * ArrayQueue is a FIFO with amortised O(1) push and shift (a head index over an array that is
 * compacted when half of it is consumed), used for every queue in the framework: a plain
 * `Array.prototype.shift` is O(n) and would make draining 100,000 keys quadratic. A drained
 * queue lets go of its array, so a burst (the first list of 10,000 keys) leaves nothing behind.
 */
export class ArrayQueue<T> {
  #items: Array<T | undefined> = [];
  #head = 0;

  /** length is the number of queued items. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** push appends an item at the tail. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** peek returns the head without removing it, or undefined when empty. */
  peek(): T | undefined {
    return this.length > 0 ? this.#items[this.#head] : undefined;
  }

  /** shift removes and returns the head, or undefined when empty. */
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined; // let the item be garbage-collected
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items.length = 0; // drained: gives the backing store back
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** toArray returns the queued items, head first. */
  toArray(): T[] {
    return this.#items.slice(this.#head) as T[];
  }

  /** clear empties the queue. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
