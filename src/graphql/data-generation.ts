/**
 * DataGeneration counts changes of the data GraphQL serves: the inventory (events, usage
 * flushes), the clusters (mutations, sync status). A cached query result is valid only for the
 * generation it was computed in. In a serve-only replica, changes made by another process reach
 * it as events through the bus; usage flushes and sync status written elsewhere do not, which
 * is what the cache's time limit bounds.
 */
export class DataGeneration {
  #value = 0;

  /** value is the current generation. */
  get value(): number {
    return this.#value;
  }

  /** bump marks that data changed. */
  bump(): void {
    this.#value++;
  }
}
