import type { AnswerScope } from './answer-scope.js';

/**
 * DataGeneration counts the changes of the data GraphQL serves, by scope: the inventory of each
 * cluster (events, a cluster deleted with its inventory), its usage metrics (usage flushes,
 * which make no event), the cluster rows (mutations, sync status). A cached answer is valid
 * while the counters of its {@link AnswerScope} stand where they stood when it was computed:
 * counters only grow, so their sum (the {@link DataGeneration.stamp}) changes exactly when one
 * of them does. In a serve-only replica, changes made by another process reach it as events
 * through the bus; usage flushes, cluster deletions and sync status written elsewhere do not,
 * which is what the response cache's time limit bounds.
 */
export class DataGeneration {
  readonly #inventory = new Map<number, number>();
  readonly #usage = new Map<number, number>();
  #anyInventory = 0;
  #anyUsage = 0;
  #clusterRows = 0;

  /** inventoryChanged records that the inventory of a cluster changed. */
  inventoryChanged(clusterId: number): void {
    this.#inventory.set(clusterId, (this.#inventory.get(clusterId) ?? 0) + 1);
    this.#anyInventory++;
  }

  /** eventsDelivered records the inventory changes a batch of events tells. */
  eventsDelivered(events: readonly { clusterId: number }[]): void {
    for (const event of events) this.inventoryChanged(event.clusterId);
  }

  /** usageChanged records that the usage metrics of a cluster were rewritten. */
  usageChanged(clusterId: number): void {
    this.#usage.set(clusterId, (this.#usage.get(clusterId) ?? 0) + 1);
    this.#anyUsage++;
  }

  /** clustersChanged records a write to the cluster rows (an edit, a sync status). */
  clustersChanged(): void {
    this.#clusterRows++;
  }

  /** stamp is the state of the counters an answer of `scope` depends on. */
  stamp(scope: AnswerScope): number {
    let stamp = scope.clusterRows ? this.#clusterRows : 0;
    if (scope.clusters === 'all') {
      stamp += this.#anyInventory + (scope.usage ? this.#anyUsage : 0);
    } else {
      for (const id of scope.clusters) {
        stamp += (this.#inventory.get(id) ?? 0) + (scope.usage ? (this.#usage.get(id) ?? 0) : 0);
      }
    }
    return stamp;
  }
}
