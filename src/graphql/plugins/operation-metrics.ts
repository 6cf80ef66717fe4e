import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../../metrics.js';

const MAX_NAMES = 200;

/**
 * useOperationMetrics counts GraphQL operations and times them. Operation names are label
 * values, so they are bounded: past {@link MAX_NAMES} distinct names, new ones count as `other`.
 */
export function useOperationMetrics(metrics: Metrics): Plugin {
  const names = new Set<string>();
  const label = (name: string | undefined): string => {
    if (name === undefined) return 'anonymous';
    if (names.has(name)) return name;
    if (names.size >= MAX_NAMES) return 'other';
    names.add(name);
    return name;
  };
  const labels = (
    document: Parameters<typeof getOperationAST>[0],
    operationName?: string | null,
  ) => {
    const operation = getOperationAST(document, operationName ?? undefined);
    return {
      operation_type: operation?.operation ?? 'unknown',
      operation_name: label(operation?.name?.value),
    };
  };
  return {
    onExecute({ args }) {
      const started = performance.now();
      const base = labels(args.document, args.operationName);
      return {
        onExecuteDone({ result }) {
          const failed = 'errors' in result && (result.errors?.length ?? 0) > 0;
          metrics.graphqlDuration.observe(base, (performance.now() - started) / 1000);
          metrics.graphqlOperations.inc({ ...base, outcome: failed ? 'error' : 'ok' });
        },
      };
    },
    onSubscribe({ args }) {
      const started = performance.now();
      const base = labels(args.document, args.operationName);
      return {
        onSubscribeResult() {
          metrics.graphqlDuration.observe(base, (performance.now() - started) / 1000);
          metrics.graphqlOperations.inc({ ...base, outcome: 'ok' });
        },
        onSubscribeError() {
          metrics.graphqlOperations.inc({ ...base, outcome: 'error' });
        },
      };
    },
  };
}
