import { type DocumentNode, type GraphQLError, getOperationAST } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
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
  const reject = (err: unknown, context: { request?: Request }) => {
    const masked = maskError(coerceError(err), 'Unexpected error.') as GraphQLError;
    // A plain HTTP request is answered 401 (GraphQL over HTTP: no data → 4xx); yoga keeps the
    // `http` extension out of the body. SSE and graphql-ws streams carry the same error in-band.
    const plainHttp =
      context.request !== undefined &&
      !(context.request.headers.get('accept') ?? '').includes('text/event-stream');
    if (!plainHttp) return { errors: [masked] };
    return {
      errors: [
        createGraphQLError(masked.message, {
          extensions: { ...masked.extensions, http: { status: 401 } },
        }),
      ],
    };
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      try {
        check(args.document, args.operationName, args.contextValue);
      } catch (err) {
        setResultAndStopExecution(reject(err, args.contextValue) as never);
      }
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      try {
        check(args.document, args.operationName, args.contextValue);
      } catch (err) {
        setResultAndStopExecution(reject(err, args.contextValue) as never);
      }
    },
  };
}
