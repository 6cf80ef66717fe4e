import type { ClusterStore } from '../db/cluster-store.js';
import type { Principal } from './principal.js';

/** GraphQLServices are the parts of the application resolvers may use. */
export interface GraphQLServices {
  clusters: ClusterStore;
}

/**
 * GraphQLContext is built anew for every operation (HTTP request, SSE stream or graphql-ws
 * subscription): who is asking, and the services resolvers use.
 */
export interface GraphQLContext {
  principal: Principal;
  services: GraphQLServices;
  /** Depth and complexity limits for this operation. */
  limits: { depth: number; complexity: number };
}
