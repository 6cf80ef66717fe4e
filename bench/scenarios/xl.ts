// Scenario `xl`: a hundred simulated clusters of 1,000 guests each (100,000 guests). It takes
// long, so it runs only when named (`npm run bench -- xl`) or with `--all`.
import { inventoryScenario } from '../support/inventory-scenario.js';

/** scenario `xl`: 100 clusters × 20 nodes × 1,000 guests, polled every 5 s; explicit only. */
export const scenario = inventoryScenario({
  name: 'xl',
  description:
    '100 clusters × 20 nodes × 1,000 guests = 100,000 guests (explicit: npm run bench -- xl)',
  clusters: 100,
  nodesPerCluster: 20,
  guestsPerCluster: 1000,
  pollInterval: '5s',
  idleCycles: 2,
  latencyRounds: 2,
  fanOut: undefined,
  queries: { concurrency: 50, seconds: 10, warmupSeconds: 2 },
  perNode: false,
  settleTimeoutMs: 1_800_000,
  explicit: true,
});
