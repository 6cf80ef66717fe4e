import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { ExpectedError } from '../lib/expected-error.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../metrics.js';
import type { GraphQLContext, GraphQLServices } from './context.js';
import { maskError } from './errors.js';
import { createLoaders } from './loaders.js';
import { useOperationAuth } from './plugins/operation-auth.js';
import { useOperationMetrics } from './plugins/operation-metrics.js';
import { usePlannedExecution } from './plugins/planned-execution.js';
import { useResponseCacheMarks } from './plugins/response-cache.js';
import { useSharedSubscriptionExecution } from './plugins/shared-subscription-execution.js';
import { type AccessTokens, type Principal, resolvePrincipal } from './principal.js';
import type { ResponseCache } from './response-cache.js';
import { schema } from './schema.js';

/** GRAPHQL_PATH is where GraphQL (HTTP, SSE, graphql-ws) and GraphiQL are served. */
export const GRAPHQL_PATH = '/graphql';

/** The server context yoga receives: the node request, or a graphql-ws connection. */
export interface ServerContext {
  /** graphql-ws `connectionParams` of the socket the operation came on. */
  connectionParams?: Readonly<Record<string, unknown>> | undefined;
}

/** GraphQLHandlerOptions are the inputs of {@link createGraphQLHandler}. */
export interface GraphQLHandlerOptions {
  services: GraphQLServices;
  tokens: AccessTokens;
  limits: GraphQLContext['limits'];
  metrics: Metrics;
  logger: Logger;
  /** The response cache the server answers repeated queries from, if any. */
  responseCache?: ResponseCache;
}

const EXAMPLE_QUERY = `# Welcome to pvesphere. Add a cluster with createCluster, then query it:
query Clusters {
  clusters {
    id
    name
    apiUrl
    isEnabled
    sync { state lastSyncedAt lastError }
  }
}
`;

function isExpected(error: unknown): boolean {
  const original = (error as { originalError?: unknown } | undefined)?.originalError ?? error;
  return original instanceof ExpectedError;
}

/** authorizationOf reads the credential of an operation: header, or graphql-ws connectionParams. */
function authorizationOf(request: Request | undefined, params: ServerContext['connectionParams']) {
  const header = request?.headers.get('authorization');
  if (header) return header;
  if (!params) return undefined;
  const key = Object.keys(params).find((k) => k.toLowerCase() === 'authorization');
  const value = key === undefined ? undefined : params[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * createGraphQLHandler builds the yoga instance: the Pothos schema, GraphiQL, SSE, masked errors,
 * per-operation auth and metrics. graphql-ws reuses it through `yoga.getEnveloped`.
 */
export function createGraphQLHandler(
  options: GraphQLHandlerOptions,
): YogaServerInstance<ServerContext, GraphQLContext> {
  const log = options.logger.child({ component: 'graphql' });
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    healthCheckEndpoint: false as unknown as string,
    graphiql: { title: 'pvesphere', defaultQuery: EXAMPLE_QUERY, subscriptionsProtocol: 'WS' },
    maskedErrors: { maskError, isDev: false },
    logging: {
      debug: (...args) => log.debug({ args }, 'yoga'),
      info: (...args) => log.info({ args }, 'yoga'),
      warn: (...args) => log.warn({ args }, 'yoga'),
      // yoga logs every error it masks; errors the client caused are expected, not failures.
      error: (...args) =>
        isExpected(args[0])
          ? log.debug({ err: args[0] }, 'graphql operation refused')
          : log.error({ err: args[0] }, 'graphql operation failed'),
    },
    context: ({ request, connectionParams }) => {
      let principal: Principal = { kind: 'anonymous' };
      let authError: Error | undefined;
      try {
        principal = resolvePrincipal(authorizationOf(request, connectionParams), options.tokens);
      } catch (err) {
        authError = err as Error;
      }
      return {
        principal,
        authError,
        services: options.services,
        loaders: createLoaders(options.services),
        limits: options.limits,
      };
    },
    plugins: [
      useOperationAuth(options.tokens),
      useOperationMetrics(options.metrics),
      useSharedSubscriptionExecution(),
      usePlannedExecution(),
      ...(options.responseCache ? [useResponseCacheMarks(options.responseCache)] : []),
    ],
  });
}
