// Scenario `medium`: one simulated cluster of 16 nodes and 1,000 guests — the size at which the
// original's 2 + 2·N list calls per poll (34) is compared, so the per-node strategy runs too.
import { inventoryScenario } from '../support/inventory-scenario.js';

/** scenario `medium`: 1 cluster × 16 nodes × 1,000 guests, polled every second. */
export const scenario = inventoryScenario({
  name: 'medium',
  description:
    '1 cluster, 16 nodes, 1,000 guests: pvesphere end to end, cluster-resources vs per-node',
  clusters: 1,
  nodesPerCluster: 16,
  guestsPerCluster: 1000,
  pollInterval: '1s',
  idleCycles: 10,
  latencyRounds: 40,
  fanOut: { subscribers: 1000, rounds: 5 },
  queries: { concurrency: 50, seconds: 8, warmupSeconds: 2 },
  perNode: true,
  order: 2,
  settleTimeoutMs: 300_000,
});
