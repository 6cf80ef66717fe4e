import type { ClusterStore } from '../db/cluster-store.js';
import type { InventoryQueries } from '../db/inventory-queries.js';
import type { EventService } from '../events/event-service.js';
import type { Loaders } from './loaders.js';
import type { Principal } from './principal.js';

/**
 * SyncControl is what GraphQL may ask of the sync layer (implemented by the cluster manager;
 * absent in a serve-only replica, `PVESPHERE_SYNC=false`).
 */
export interface SyncControl {
  /** resync forces a full relist of a cluster now; false when this process does not sync it. */
  resync(clusterId: number): Promise<boolean>;
}

/** GraphQLServices are the parts of the application resolvers may use. */
export interface GraphQLServices {
  /** The sync layer, when this process syncs. */
  sync?: SyncControl;
  clusters: ClusterStore;
  /** The read side of the inventory (nodes, guests, storage, addresses, templates). */
  inventory: InventoryQueries;
  /** Event streams of the subscriptions (`nodeChanged`, `vmChanged`, `storageChanged`). */
  events: EventService;
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
