import { createRequire } from 'node:module';
import { type DocumentNode, type ExecutionResult, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryQueries } from '../../src/db/inventory-queries.js';
import type { GraphQLServices } from '../../src/graphql/context.js';
import { DirectQueries, regularMediaType } from '../../src/graphql/direct-query.js';
import { PlanNotApplicable, planOperation } from '../../src/graphql/execution/operation-plan.js';
import { executePlan } from '../../src/graphql/execution/plan-executor.js';
import { createLoaders } from '../../src/graphql/loaders.js';
import { schema } from '../../src/graphql/schema.js';
import { createGraphQLHandler } from '../../src/graphql/yoga.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { seedInventory } from '../support/inventory-fixture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The standard executor, from the copy of graphql that built the schema (see graphql-runtime.ts).
const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');

let app: TestApp;
let services: GraphQLServices;
let clusterIds: number[];

beforeAll(async () => {
  app = await startTestApp();
  ({ clusterIds } = await seedInventory(app.db, { clusters: 2, nodes: 3, guests: 60 }));
  services = {
    clusters: app.services.clusters,
    inventory: new InventoryQueries({ db: app.services.db }),
    events: app.services.events,
  };
});

afterAll(async () => {
  await app?.stop();
});

const context = () => ({
  principal: { kind: 'anonymous' as const },
  services,
  loaders: createLoaders(services),
  limits: { depth: 10, complexity: 100_000 },
});

/** The same operation through graphql-js and through its plan. */
async function both(query: string, variables: Record<string, unknown> = {}) {
  const document: DocumentNode = parse(query);
  const standard = (await graphql.execute({
    schema,
    document,
    variableValues: variables,
    contextValue: context(),
  })) as ExecutionResult;
  const plan = planOperation(schema, document, undefined);
  expect(plan).not.toBeNull();
  const planned = await executePlan(plan!, {
    schema,
    document,
    variableValues: variables,
    contextValue: context(),
  });
  return { standard, planned };
}

const QUERIES: [string, string, Record<string, unknown>?][] = [
  [
    'a page of guests with every field, nested lookups and connections',
    `query ($f: VmFilter) { vms(filter: $f, first: 7) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { __typename id clusterId vmid type node name status template cpus maxMem
        maxDisk tags lock hastate pool description agentEnabled cpuUsage memUsed diskUsed netIn
        netOut diskRead diskWrite uptime lastSyncedAt
        ipAddresses { nicName macAddress ipAddress ipVersion prefixLength configNic }
        pveNode { name status lastSyncedAt vms(first: 2) { totalCount edges { node { vmid } } } }
        cluster { id name counts { vms runningVms } } } } } }`,
    { f: { status: 'running' } },
  ],
  [
    'aliases, fragments, inline fragments and repeated fields merged',
    `{ a: vms(first: 3) { ...P edges { node { x: name ... on PveVm { status } } } }
       b: vms(first: 2, filter: { tag: "db" }) { edges { node { vmid } } edges { node { name } } }
       __typename }
     fragment P on PveVmConnection { totalCount edges { cursor node { vmid } } }`,
  ],
  [
    'nodes with their guests and storage, storage lists, templates',
    `{ nodes(first: 4) { edges { node { name status maxMem cpuUsage
         vms(first: 2, filter: { status: "running" }) { totalCount edges { node { vmid name } } }
         storages { edges { node { name content shared total used usedFraction } } } } } }
       storages(first: 5, filter: { shared: true }) { totalCount edges { node { node name type } } }
       templates { vmid name node type description } }`,
  ],
  [
    'lookups that find nothing, and a later page',
    `query ($c: ID!, $after: String) { vm(clusterId: $c, vmid: 100) { name ipAddresses { ipAddress } }
       none: vm(clusterId: $c, vmid: 99999) { name }
       vms(first: 5, after: $after) { pageInfo { hasPreviousPage } edges { node { vmid } } } }`,
  ],
];

describe('the planned executor', () => {
  for (const [what, query, variables] of QUERIES) {
    it(`answers as graphql-js does: ${what}`, async () => {
      const vars = { c: String(clusterIds[0]), ...variables };
      if (query.includes('$after')) {
        const first = await both('{ vms(first: 5) { pageInfo { endCursor } } }');
        Object.assign(vars, {
          after: (first.standard.data as { vms: { pageInfo: { endCursor: string } } }).vms.pageInfo
            .endCursor,
        });
      }
      const { standard, planned } = await both(query, vars);
      expect(standard.errors).toBeUndefined();
      expect(JSON.stringify(planned)).toBe(JSON.stringify(standard));
    });
  }

  it('leaves directives, mutations and introspection to the standard executor', () => {
    const plan = (query: string) => planOperation(schema, parse(query), undefined);
    expect(plan('query ($x: Boolean!) { vms { totalCount @include(if: $x) } }')).toBeNull();
    expect(plan('mutation { resyncCluster(id: "1") { id } }')).toBeNull();
    expect(plan('{ __schema { queryType { name } } }')).toBeNull();
    expect(plan('{ vms { __proto__: totalCount } }')).toBeNull();
  });

  it('gives up on an answer with an error, for the standard executor to report it', async () => {
    const document = parse('{ vms(first: 900) { totalCount } }');
    const plan = planOperation(schema, document, undefined)!;
    await expect(
      Promise.resolve().then(() =>
        executePlan(plan, { schema, document, contextValue: context() }),
      ),
    ).rejects.toThrow(/between 0 and 500/);
    const variables = parse('query ($n: Int) { vms(first: $n) { totalCount } }');
    expect(() =>
      executePlan(planOperation(schema, variables, undefined)!, {
        schema,
        document: variables,
        variableValues: { n: 'many' },
        contextValue: context(),
      }),
    ).toThrow(PlanNotApplicable);
  });

  it('answers errors through yoga exactly as before (masked, with codes and paths)', async () => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: '{ vms(first: 900) { totalCount } }' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: null,
      errors: [
        expect.objectContaining({
          path: ['vms'],
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'first' }),
        }),
      ],
    });
  });
});

describe('queries posted as JSON, answered without yoga’s HTTP layer', () => {
  const yoga = () =>
    createGraphQLHandler({
      services,
      tokens: { adminToken: undefined, readToken: undefined },
      limits: { depth: 10, complexity: 5000 },
      metrics: createMetrics(),
      logger: silentLogger,
    });
  const QUERY = '{ vms(first: 3) { totalCount edges { node { vmid name cpuUsage } } } }';

  it('picks the content type yoga would', () => {
    expect(regularMediaType(undefined)).toBe('application/json');
    expect(regularMediaType('*/*')).toBe('application/json');
    expect(regularMediaType('application/json')).toBe('application/json');
    expect(regularMediaType('application/graphql-response+json, application/json')).toBe(
      'application/graphql-response+json',
    );
    expect(regularMediaType('application/json, application/graphql-response+json')).toBe(
      'application/json',
    );
    expect(regularMediaType('text/event-stream')).toBeUndefined();
    expect(regularMediaType('application/json; charset=latin1')).toBeUndefined();
    expect(regularMediaType('text/html')).toBeUndefined();
  });

  it('answers a query as yoga answers it', async () => {
    const handler = yoga();
    const direct = new DirectQueries(handler);
    for (const accept of [
      undefined,
      'application/json',
      'application/graphql-response+json, application/json',
    ]) {
      const body = JSON.stringify({ query: QUERY, variables: null, operationName: null });
      const answer = await direct.answer(accept ? { accept } : {}, '/graphql', body);
      const reference = await handler.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
        body,
      });
      expect(answer).toBeDefined();
      expect(answer!.status).toBe(reference.status);
      expect(Object.fromEntries(answer!.headers)['content-type']).toBe(
        reference.headers.get('content-type'),
      );
      expect(answer!.body.toString()).toBe(await reference.text());
    }
  });

  it('leaves to yoga what it does not answer the same way', async () => {
    const direct = new DirectQueries(yoga());
    const ask = (body: unknown, headers: Record<string, string> = {}) =>
      direct.answer(
        { accept: 'application/json', ...headers },
        '/graphql',
        typeof body === 'string' ? body : JSON.stringify(body),
      );
    expect(await ask({ query: QUERY }, { origin: 'http://dashboard' })).toBeUndefined();
    expect(await ask({ query: QUERY }, { accept: 'text/event-stream' })).toBeUndefined();
    expect(await ask('{not json')).toBeUndefined();
    expect(await ask([{ query: QUERY }])).toBeUndefined();
    expect(await ask({ query: QUERY, extensions: {} })).toBeUndefined();
    expect(await ask({ query: '{ vms { nope } }' })).toBeUndefined();
    expect(await ask({ query: 'mutation { resyncCluster(id: "1") { id } }' })).toBeUndefined();
    expect(await ask({ query: '{ vms(first: 900) { totalCount } }' })).toBeUndefined();
    expect(await ask({ query: QUERY })).toBeDefined();
  });
});
