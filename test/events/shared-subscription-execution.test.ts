import { createRequire } from 'node:module';
import type * as GraphQLModule from 'graphql';
import type { ExecutionResult } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { useSharedSubscriptionExecution } from '../../src/graphql/plugins/shared-subscription-execution.js';

// The copy of graphql-js yoga and the plugin use (see the plugin's comment).
const graphql = createRequire(import.meta.url)('graphql') as typeof GraphQLModule;

/** A source every subscriber shares: push() hands the same object to each open stream. */
function broadcaster() {
  const streams = new Set<{ push(value: object): void; returned: boolean }>();
  return {
    streams,
    push: (value: object) => {
      for (const stream of streams) stream.push(value);
    },
    open(): AsyncIterableIterator<object> {
      const queue: object[] = [];
      let waiter: ((result: IteratorResult<object>) => void) | undefined;
      const stream = {
        returned: false,
        push(value: object) {
          if (waiter) {
            const w = waiter;
            waiter = undefined;
            w({ value, done: false });
          } else queue.push(value);
        },
      };
      streams.add(stream);
      return {
        next: () => {
          const value = queue.shift();
          if (value) return Promise.resolve({ value, done: false });
          return new Promise((resolve) => {
            waiter = resolve;
          });
        },
        return: async () => {
          stream.returned = true;
          streams.delete(stream);
          waiter?.({ value: undefined, done: true });
          return { value: undefined, done: true };
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    },
  };
}

function setup() {
  const source = broadcaster();
  let executions = 0;
  const Change = new graphql.GraphQLObjectType({
    name: 'Change',
    fields: {
      id: { type: graphql.GraphQLString },
      label: {
        type: graphql.GraphQLString,
        args: { prefix: { type: graphql.GraphQLString } },
        resolve: (change: { id: string }, args: { prefix?: string }) => {
          executions++;
          return `${args.prefix ?? ''}${change.id}`;
        },
      },
    },
  });
  const schema = new graphql.GraphQLSchema({
    query: new graphql.GraphQLObjectType({
      name: 'Query',
      fields: { ok: { type: graphql.GraphQLBoolean } },
    }),
    subscription: new graphql.GraphQLObjectType({
      name: 'Subscription',
      fields: {
        changed: {
          type: Change,
          args: { prefix: { type: graphql.GraphQLString } },
          subscribe: () => source.open(),
          resolve: (change: object) => change,
        },
      },
    }),
  });
  const yoga = createYoga({ schema, plugins: [useSharedSubscriptionExecution()] });
  const subscribe = async (prefix: string) => {
    const { parse, subscribe: run, contextFactory } = yoga.getEnveloped({});
    const result = await run({
      schema,
      document: parse(
        'subscription ($prefix: String) { changed(prefix: $prefix) { id label(prefix: $prefix) } }',
      ),
      variableValues: { prefix },
      contextValue: await contextFactory(),
    });
    return result as AsyncIterableIterator<ExecutionResult>;
  };
  return { source, subscribe, executions: () => executions };
}

describe('useSharedSubscriptionExecution', () => {
  it('executes one event once per distinct operation, whatever the number of subscribers', async () => {
    const { source, subscribe, executions } = setup();
    const same = await Promise.all([subscribe('a:'), subscribe('a:'), subscribe('a:')]);
    const other = await subscribe('b:');
    for (const id of ['1', '2']) {
      source.push({ id });
      for (const stream of same) {
        expect((await stream.next()).value).toEqual({
          data: { changed: { id, label: `a:${id}` } },
        });
      }
      expect((await other.next()).value).toEqual({
        data: { changed: { id, label: `b:${id}` } },
      });
    }
    // 2 events × 2 distinct operations, not 2 × 4 subscribers.
    expect(executions()).toBe(4);
    for (const stream of [...same, other]) await stream.return?.();
  });

  it('return() reaches the source at once, while a next() is waiting', async () => {
    const { source, subscribe } = setup();
    const stream = await subscribe('a:');
    const pending = stream.next();
    expect(source.streams.size).toBe(1);
    await stream.return?.();
    expect(source.streams.size).toBe(0);
    expect(await pending).toMatchObject({ done: true });
  });
});
