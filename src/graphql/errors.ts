import { GraphQLError } from 'graphql';
import { createGraphQLError, maskError as yogaMaskError } from 'graphql-yoga';
import { ExpectedError } from '../lib/expected-error.js';

/**
 * maskError is yoga's error mask: an {@link ExpectedError} (bad input, not found, a conflict,
 * unauthenticated) reaches the client with its message and `extensions.code` plus its details;
 * anything else becomes "Unexpected error." with code INTERNAL_SERVER_ERROR and is logged.
 */
export function maskError(error: unknown, message: string): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof ExpectedError) {
    const located = error instanceof GraphQLError ? error : undefined;
    return createGraphQLError(original.message, {
      ...(located?.nodes ? { nodes: located.nodes } : {}),
      ...(located?.path ? { path: located.path } : {}),
      extensions: { ...original.details, code: original.code },
    });
  }
  return yogaMaskError(error, message, false);
}
