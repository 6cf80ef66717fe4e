import type { ClusterStore } from '../db/cluster-store.js';
import type { InventoryQueries } from '../db/inventory-queries.js';
import type { Loaders } from './loaders.js';
import type { Principal } from './principal.js';

/** GraphQLServices are the parts of the application resolvers may use. */
export interface GraphQLServices {
  clusters: ClusterStore;
  /** The read side of the inventory (nodes, guests, storage, addresses, templates). */
  inventory: InventoryQueries;
}

/**
 * GraphQLContext is built anew for every operation (HTTP request, SSE stream or graphql-ws
 * subscription): who is asking, and the services resolvers use.
 */
export interface GraphQLContext {
  principal: Principal;
  services: GraphQLServices;
  /** Per-operation DataLoaders over `services` (batched lookups and nested connections). */
  loaders: Loaders;
  /** Depth and complexity limits for this operation. */
  limits: { depth: number; complexity: number };
}
