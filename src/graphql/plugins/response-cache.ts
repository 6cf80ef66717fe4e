import { getOperationAST, Kind, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ResponseCache } from '../response-cache.js';

/**
 * Root fields whose answers are never cached: the cluster list is edited by plain SQL too (the
 * original project's documented workflow), which this process cannot see happen, so it is always
 * read fresh.
 */
const UNCACHED_ROOTS = new Set(['clusters', 'cluster']);

function cacheableRoots(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.every(
    (selection) => selection.kind !== Kind.FIELD || !UNCACHED_ROOTS.has(selection.name.value),
  );
}

/**
 * useResponseCacheMarks tells the ResponseCache which requests ran a cacheable operation: a
 * query (not a mutation or subscription) of the inventory (not of `clusters`) that completed
 * without errors. It runs after the auth plugin, which stops a refused operation before it gets
 * here; results do not depend on who asks. The data generation is noted when execution starts,
 * so a change during execution makes the answer uncacheable.
 */
export function useResponseCacheMarks(cache: ResponseCache): Plugin<{ request?: Request }> {
  return {
    onExecute({ args }) {
      const request = args.contextValue.request;
      if (!request) return;
      const operation = getOperationAST(args.document, args.operationName ?? undefined);
      if (operation?.operation !== 'query' || !cacheableRoots(operation)) return;
      const generation = cache.generation;
      return {
        onExecuteDone({ result }) {
          if (!result || typeof result !== 'object' || Symbol.asyncIterator in result) return;
          if ('errors' in result && result.errors?.length) return;
          cache.markCacheable(request, generation);
        },
      };
    },
  };
}
