// Scenario `small`: one simulated cluster of 3 nodes and 30 guests, end to end against one
// pvesphere server process (see bench/support/inventory-scenario.ts for what is measured).
import { inventoryScenario } from '../support/inventory-scenario.js';

/** scenario `small`: 1 cluster × 3 nodes × 30 guests, polled every second. */
export const scenario = inventoryScenario({
  name: 'small',
  description: '1 cluster, 3 nodes, 30 guests: pvesphere end to end (issue 7 measures 1–7)',
  clusters: 1,
  nodesPerCluster: 3,
  guestsPerCluster: 30,
  pollInterval: '1s',
  idleCycles: 10,
  latencyRounds: 30,
  fanOut: { subscribers: 1000, rounds: 5 },
  queries: { concurrency: 50, seconds: 5, warmupSeconds: 1 },
  perNode: true,
  order: 1,
  settleTimeoutMs: 120_000,
});
