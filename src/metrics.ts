import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * Metrics is pvesphere's Prometheus registry (served on `/metrics`) and the instruments the
 * server records into. Each application instance has its own registry, so several can run in
 * one process (tests) without clashing.
 */
export interface Metrics {
  readonly registry: Registry;
  /** GraphQL operations by type, name and outcome. */
  readonly graphqlOperations: Counter<'operation_type' | 'operation_name' | 'outcome'>;
  /** GraphQL operation durations (for subscriptions: set-up only). */
  readonly graphqlDuration: Histogram<'operation_type' | 'operation_name'>;
  /** PVE API requests by cluster, kind (list, detail, meta) and outcome (HTTP status or error code). */
  readonly pveRequests: Counter<'cluster_id' | 'kind' | 'outcome'>;
  /** PVE API request durations by kind. */
  readonly pveRequestDuration: Histogram<'kind'>;
  /** Sync poll cycles by outcome (changed, unchanged, error). */
  readonly syncCycles: Counter<'cluster_id' | 'outcome'>;
  /** Sync poll cycle durations (list + write). */
  readonly syncCycleDuration: Histogram<'outcome'>;
  /** Time spent in each phase of sync cycles (see SyncPhase). */
  readonly syncPhaseDuration: Histogram<'phase'>;
  /** Guest rows of listings, by how they were read (full, unchanged). */
  readonly syncGuestRows: Counter<'read'>;
  /** Inventory events committed, by kind and type. */
  readonly inventoryEvents: Counter<'kind' | 'type'>;
  /**
   * JSON posts answered from the response cache (hit), executed and cached (miss), or neither
   * (uncacheable); and background refreshes of cached answers, kept (refreshed) or not
   * (refresh_discarded: something they read changed while they ran).
   */
  readonly responseCache: Counter<'outcome'>;
}

/** createMetrics builds a registry with process metrics (CPU, memory, event loop, GC) and ours. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    graphqlOperations: new Counter({
      name: 'pvesphere_graphql_operations_total',
      help: 'GraphQL operations executed, by type, name and outcome (ok, error, rejected).',
      labelNames: ['operation_type', 'operation_name', 'outcome'],
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: 'pvesphere_graphql_operation_duration_seconds',
      help: 'Time to execute a GraphQL operation (subscriptions: until the stream is set up).',
      labelNames: ['operation_type', 'operation_name'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    pveRequests: new Counter({
      name: 'pvesphere_pve_requests_total',
      help: 'Requests to the PVE API, by cluster, kind (list, detail, meta) and outcome (HTTP status or error code).',
      labelNames: ['cluster_id', 'kind', 'outcome'],
      registers: [registry],
    }),
    pveRequestDuration: new Histogram({
      name: 'pvesphere_pve_request_duration_seconds',
      help: 'Duration of PVE API requests, by kind.',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    syncCycles: new Counter({
      name: 'pvesphere_sync_cycles_total',
      help: 'Sync poll cycles, by cluster and outcome (changed, unchanged, error).',
      labelNames: ['cluster_id', 'outcome'],
      registers: [registry],
    }),
    syncCycleDuration: new Histogram({
      name: 'pvesphere_sync_cycle_duration_seconds',
      help: 'Duration of sync poll cycles (list, diff and write), by outcome.',
      labelNames: ['outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    syncPhaseDuration: new Histogram({
      name: 'pvesphere_sync_phase_duration_seconds',
      help: 'Time spent in each phase of sync cycles: list (PVE request, read and scanned), map, apply (informers), write (PostgreSQL transaction of a cycle with changes), publish.',
      labelNames: ['phase'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    syncGuestRows: new Counter({
      name: 'pvesphere_sync_guest_rows_total',
      help: 'Guest rows of /cluster/resources listings, by how they were read: full, or unchanged (the row its known state was made from; usage only).',
      labelNames: ['read'],
      registers: [registry],
    }),
    responseCache: new Counter({
      name: 'pvesphere_graphql_response_cache_total',
      help: 'GraphQL posts answered from the response cache (hit), executed and cached (miss), or not cacheable (mutations, errors); background refreshes of cached answers kept (refreshed) or discarded (refresh_discarded).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    inventoryEvents: new Counter({
      name: 'pvesphere_inventory_events_total',
      help: 'Inventory events committed, by kind and type.',
      labelNames: ['kind', 'type'],
      registers: [registry],
    }),
  };
}
