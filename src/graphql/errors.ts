import { createGraphQLError, maskError as yogaMaskError } from 'graphql-yoga';
import { ExpectedError } from '../lib/expected-error.js';

/** The parts of a GraphQLError the mask reads (duck-typed: executors may bring their own class). */
interface Located {
  originalError?: unknown;
  path?: readonly (string | number)[];
}

/**
 * maskError is yoga's error mask: an {@link ExpectedError} (bad input, not found, a conflict,
 * unauthenticated) reaches the client with its message and `extensions.code` plus its details;
 * anything else becomes "Unexpected error." with code INTERNAL_SERVER_ERROR and is logged.
 */
export function maskError(error: unknown, message: string): Error {
  const located = typeof error === 'object' && error !== null ? (error as Located) : undefined;
  const original = located?.originalError ?? error;
  if (original instanceof ExpectedError) {
    return createGraphQLError(original.message, {
      ...(located?.path ? { path: located.path } : {}),
      extensions: { ...original.details, code: original.code },
    });
  }
  return yogaMaskError(error, message, false);
}
