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
  };
}
