import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import RelayPlugin from '@pothos/plugin-relay';
import { ExpectedError } from '../lib/expected-error.js';
import type { GraphQLContext } from './context.js';

/**
 * builder is the Pothos schema builder: configuration only. Types live one file per type in
 * `types/`, and `schema.ts` imports them all.
 */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string | number };
    DateTime: { Input: Date; Output: Date | string };
    Bytes: { Input: number; Output: number | bigint };
  };
}>({
  plugins: [RelayPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // IDs are the database integers as strings (DESIGN §5): no global object identification.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    limit: (ctx) => ({ depth: ctx.limits.depth, complexity: ctx.limits.complexity }),
    // An ExpectedError, not a GraphQLError: errors.ts passes it through by class, which also
    // holds where two copies of `graphql` are loaded (vitest gives src/ the ESM build, yoga the CJS).
    complexityError: (kind, result) =>
      new ExpectedError(
        'QUERY_TOO_COMPLEX',
        kind === 'Depth'
          ? `query depth ${result.depth} exceeds the limit of ${result.maxDepth}`
          : `query ${kind.toLowerCase()} ${result[kind === 'Breadth' ? 'breadth' : 'complexity']} exceeds the limit of ${kind === 'Breadth' ? result.maxBreadth : result.maxComplexity}`,
      ),
  },
});

builder.queryType({});
builder.mutationType({});
