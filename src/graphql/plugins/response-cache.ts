import type { Plugin } from 'graphql-yoga';
import { AnswerScopes } from '../answer-scope.js';
import type { ResponseCache } from '../response-cache.js';

/**
 * useResponseCacheMarks tells the ResponseCache which requests ran a cacheable operation: a
 * query (not a mutation or subscription) of the inventory (not of `clusters`) that completed
 * without errors, with its AnswerScope. It runs after the auth plugin, which stops a refused
 * operation before it gets here; results do not depend on who asks. The stamp of the scope is
 * noted when execution starts, so a change in scope during execution makes the answer
 * uncacheable.
 */
export function useResponseCacheMarks(cache: ResponseCache): Plugin<{ request?: Request }> {
  const scopes = new AnswerScopes();
  return {
    onExecute({ args }) {
      const request = args.contextValue.request;
      if (!request) return;
      const scope = scopes.scopeOf(
        args.schema,
        args.document,
        args.operationName,
        args.variableValues as Record<string, unknown> | null | undefined,
      );
      if (!scope) return;
      const stamp = cache.stamp(scope);
      return {
        onExecuteDone({ result }) {
          if (!result || typeof result !== 'object' || Symbol.asyncIterator in result) return;
          if ('errors' in result && result.errors?.length) return;
          cache.markCacheable(request, scope, stamp);
        },
      };
    },
  };
}
