import { type DocumentNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { coerceError } from '../../lib/coerce-error.js';
import type { GraphQLContext } from '../context.js';
import { maskError } from '../errors.js';
import { type AccessTokens, authorizeOperation } from '../principal.js';

/** operationType returns the type of the operation a request runs (query when unknown). */
export function operationType(
  document: DocumentNode,
  operationName: string | null | undefined,
): 'query' | 'mutation' | 'subscription' {
  return getOperationAST(document, operationName ?? undefined)?.operation ?? 'query';
}

/**
 * useOperationAuth rejects operations the caller may not run with one `UNAUTHENTICATED` error,
 * before any resolver runs: the same check for HTTP, SSE and graphql-ws (DESIGN §5). The
 * principal (or the reason the presented credential was refused) is on the context.
 */
export function useOperationAuth(
  tokens: AccessTokens,
): Plugin<GraphQLContext & { authError?: Error }> {
  const check = (
    document: DocumentNode,
    operationName: string | null | undefined,
    context: GraphQLContext & { authError?: Error },
  ) => {
    if (context.authError) throw context.authError;
    authorizeOperation(operationType(document, operationName), context.principal, tokens);
  };
  const reject = (err: unknown) => ({
    errors: [maskError(coerceError(err), 'Unexpected error.')],
  });
  return {
    onExecute({ args, setResultAndStopExecution }) {
      try {
        check(args.document, args.operationName, args.contextValue);
      } catch (err) {
        setResultAndStopExecution(reject(err) as never);
      }
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      try {
        check(args.document, args.operationName, args.contextValue);
      } catch (err) {
        setResultAndStopExecution(reject(err) as never);
      }
    },
  };
}
