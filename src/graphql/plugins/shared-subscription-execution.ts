import { createRequire } from 'node:module';
import type * as GraphQLModule from 'graphql';
import type { DocumentNode, ExecutionArgs, ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * The graphql-js the schema is built with. Pothos loads `graphql` as CommonJS; an ES import from
 * src/ may get the ES build instead (vitest does), a second copy whose checks refuse the schema's
 * types. `require` always gets the copy Pothos has.
 */
const graphql = createRequire(import.meta.url)('graphql') as typeof GraphQLModule;

type Executed = ExecutionResult | Promise<ExecutionResult>;

/** mapStream maps an async iterator; return() reaches the source at once, even mid-next(). */
function mapStream<T, U>(
  source: AsyncIterator<T>,
  map: (value: T) => U | Promise<U>,
): AsyncIterableIterator<U> {
  const close = async () => {
    await source.return?.();
    return { value: undefined, done: true } as const;
  };
  return {
    async next() {
      const item = await source.next();
      if (item.done) return { value: undefined, done: true };
      try {
        return { value: await map(item.value), done: false };
      } catch (err) {
        await source.return?.();
        throw err;
      }
    },
    return: close,
    async throw(error: unknown) {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * useSharedSubscriptionExecution runs subscriptions so that one event is executed once per
 * distinct operation (document, operation name, variables), however many subscribers receive
 * it: every subscriber's stream hands out the same event object, and the result computed for the
 * first subscriber is reused by the others — 1,000 dashboards with the same `vmChanged` query
 * cost one execution per change, not 1,000. Each subscriber keeps its own source stream
 * (filters, resume, bounded buffer) and its own delivery.
 *
 * This relies on a property of the schema: the result of an operation on an event does not
 * depend on who asks (authorization is decided per operation, before it runs; DESIGN §5).
 * Results are kept in a WeakMap keyed by the event, so they go when the event does.
 */
export function useSharedSubscriptionExecution(): Plugin {
  const documentIds = new WeakMap<DocumentNode, number>();
  let documents = 0;
  const results = new WeakMap<object, Map<string, Executed>>();

  const subscribe = async (args: ExecutionArgs) => {
    const source = await graphql.createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source;
    let documentId = documentIds.get(args.document);
    if (documentId === undefined) {
      documentId = ++documents;
      documentIds.set(args.document, documentId);
    }
    const key = `${documentId}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}`;
    const execute = (payload: unknown): Executed =>
      graphql.execute({ ...args, rootValue: payload }) as Executed;
    return mapStream(source[Symbol.asyncIterator](), (payload): Executed => {
      if (typeof payload !== 'object' || payload === null) return execute(payload);
      let byOperation = results.get(payload);
      if (byOperation === undefined) {
        byOperation = new Map();
        results.set(payload, byOperation);
      }
      let result = byOperation.get(key);
      if (result === undefined) {
        result = execute(payload);
        byOperation.set(key, result);
      }
      return result;
    });
  };

  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribe as Parameters<typeof setSubscribeFn>[0]);
    },
  };
}
