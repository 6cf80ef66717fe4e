// Scenario `large`: ten simulated clusters of 20 nodes and 1,000 guests each (10,000 guests),
// polled at pvesphere's default interval — the size issue 7's goals are set for.
import { inventoryScenario } from '../support/inventory-scenario.js';

/** scenario `large`: 10 clusters × 20 nodes × 1,000 guests, polled every 5 s (the default). */
export const scenario = inventoryScenario({
  name: 'large',
  description: '10 clusters × 20 nodes × 1,000 guests = 10,000 guests: pvesphere end to end',
  clusters: 10,
  nodesPerCluster: 20,
  guestsPerCluster: 1000,
  pollInterval: '5s',
  idleCycles: 2,
  latencyRounds: 10,
  fanOut: { subscribers: 1000, rounds: 5 },
  queries: { concurrency: 50, seconds: 10, warmupSeconds: 2 },
  perNode: false,
  order: 3,
  settleTimeoutMs: 600_000,
});
