/**
 * API access end to end (issue 2 §8, DESIGN §5): bearer tokens on HTTP, graphql-ws
 * (`connectionParams.authorization`, any key case) and SSE, with the official clients.
 */

import { readFileSync } from 'node:fs';
import { type GraphQLFormattedError, print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CreateCluster, ListClusters } from '../graphql/operations.js';
import { capturedFiles, captureResponse, registerSecret } from '../support/capture.js';
import { errorCodes, gql } from '../support/graphql-client.js';
import { startTestApp, type TestApp, type TestAppOptions } from '../support/test-app.js';

const ADMIN_TOKEN = registerSecret('auth-test-admin-token-7c3e91d0b4a2');
const READ_TOKEN = registerSecret('auth-test-read-token-2b8f6a1d9e05');
const WRONG_TOKEN = registerSecret('auth-test-wrong-token-0000000000');

const LIST = print(ListClusters);
const CREATE = print(CreateCluster);

let counter = 0;
function createVariables() {
  counter += 1;
  return {
    input: {
      name: `auth-${counter}`,
      apiUrl: 'https://pve.example.com:8006',
      tokenId: 'sync@pve!inventory',
      tokenSecret: registerSecret(`9d2c4e6f-auth-secret-${String(counter).padStart(6, '0')}`),
    },
  };
}

/** Result is one operation's result as the client received it. */
interface Result {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

/** overWebSocket runs one operation over graphql-ws with these connectionParams. */
async function overWebSocket(
  app: TestApp,
  query: string,
  variables: Record<string, unknown> | undefined,
  connectionParams: Record<string, unknown> | undefined,
): Promise<Result> {
  const client = createWsClient({
    url: app.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    ...(connectionParams ? { connectionParams } : {}),
  });
  try {
    return await new Promise<Result>((resolve, reject) => {
      let last: Result | undefined;
      client.subscribe<Record<string, unknown>>(variables ? { query, variables } : { query }, {
        next: (value) => {
          captureResponse(JSON.stringify(value));
          last = value as Result;
        },
        // graphql-ws reports errors of the operation set-up as an array of GraphQL errors.
        error: (err) =>
          Array.isArray(err) ? resolve({ errors: err } as Result) : reject(err as Error),
        complete: () => (last ? resolve(last) : reject(new Error('completed without a result'))),
      });
    });
  } finally {
    await client.dispose();
  }
}

/** overSse runs one operation over GraphQL over SSE (distinct connections) with these headers. */
async function overSse(
  app: TestApp,
  query: string,
  variables: Record<string, unknown> | undefined,
  headers: Record<string, string>,
): Promise<Result> {
  const client = createSseClient({ url: app.url, headers, retryAttempts: 0 });
  try {
    return await new Promise<Result>((resolve, reject) => {
      let last: Result | undefined;
      client.subscribe<Record<string, unknown>>(variables ? { query, variables } : { query }, {
        next: (value) => {
          captureResponse(JSON.stringify(value));
          last = value as Result;
        },
        error: (err) => reject(err as Error),
        complete: () => (last ? resolve(last) : reject(new Error('completed without a result'))),
      });
    });
  } finally {
    client.dispose();
  }
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

async function clusterCount(app: TestApp): Promise<number> {
  const [row] = await app.db.query<{ n: string }>('SELECT count(*) AS n FROM pve_cluster');
  return Number(row!.n);
}

async function probe(app: TestApp, path: string): Promise<number> {
  const response = await fetch(`${app.origin}${path}`);
  captureResponse(await response.text());
  return response.status;
}

/** appLogs returns what one test app logged (its lines carry its database name). */
function appLogs(app: TestApp): { msg: string; app?: string }[] {
  return capturedFiles('logs')
    .filter((file) => file.endsWith(`worker-${process.pid}.ndjson`))
    .flatMap((file) => readFileSync(file, 'utf8').split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string; app?: string })
    .filter((line) => line.app === app.db.name);
}

/** appWith starts a test app with these settings for the enclosing describe; returns a getter. */
function appWith(options: TestAppOptions = {}): () => TestApp {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startTestApp(options);
  });
  afterAll(async () => {
    await app?.stop();
  });
  return () => app!;
}

const OPEN_MUTATIONS_WARNING =
  'PVESPHERE_ADMIN_TOKEN is not set: mutations are open to every local user of this machine; the server only listens on loopback';

describe('with PVESPHERE_ADMIN_TOKEN set', () => {
  const app = appWith({ env: { PVESPHERE_ADMIN_TOKEN: ADMIN_TOKEN } });

  it('HTTP: a mutation without, with a wrong or a malformed credential is UNAUTHENTICATED and writes nothing', async () => {
    for (const headers of [
      {},
      bearer(WRONG_TOKEN),
      { authorization: ADMIN_TOKEN },
      { authorization: `Basic ${ADMIN_TOKEN}` },
      bearer(READ_TOKEN),
    ]) {
      const res = await gql(app().url, CreateCluster, createVariables(), { headers });
      expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
      expect(res.data ?? null).toBeNull();
    }
    expect(await clusterCount(app())).toBe(0);
  });

  it('HTTP: a mutation with the admin token runs (scheme case-insensitive)', async () => {
    const res = await gql(app().url, CreateCluster, createVariables(), {
      headers: { authorization: `bearer ${ADMIN_TOKEN}` },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createCluster.creator).toBe('admin');
    expect(await clusterCount(app())).toBe(1);
  });

  it('HTTP: queries stay open without a token, and refuse a wrong one', async () => {
    const open = await gql(app().url, ListClusters);
    expect(open.errors).toBeUndefined();
    expect(open.data!.clusters).toHaveLength(1);
    expect(errorCodes(await gql(app().url, ListClusters, {}, { token: WRONG_TOKEN }))).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(
      (await gql(app().url, ListClusters, {}, { token: ADMIN_TOKEN })).data!.clusters,
    ).toHaveLength(1);
  });

  it.each(['authorization', 'Authorization', 'AUTHORIZATION'])(
    'graphql-ws: the admin token in connectionParams.%s allows a mutation',
    async (key) => {
      const res = await overWebSocket(app(), CREATE, createVariables(), {
        [key]: `Bearer ${ADMIN_TOKEN}`,
      });
      expect(res.errors).toBeUndefined();
      expect((res.data!.createCluster as { hasToken: boolean }).hasToken).toBe(true);
    },
  );

  it('graphql-ws: a mutation without or with a wrong token is UNAUTHENTICATED; queries are open', async () => {
    const before = await clusterCount(app());
    for (const params of [undefined, {}, { authorization: `Bearer ${WRONG_TOKEN}` }]) {
      const res = await overWebSocket(app(), CREATE, createVariables(), params);
      expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    }
    expect(await clusterCount(app())).toBe(before);
    const query = await overWebSocket(app(), LIST, undefined, undefined);
    expect(query.errors).toBeUndefined();
    expect(query.data!.clusters).toHaveLength(before);
  });

  it('SSE: a mutation needs the admin token; a query runs without one', async () => {
    const before = await clusterCount(app());
    const refused = await overSse(app(), CREATE, createVariables(), {});
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
    const wrong = await overSse(app(), CREATE, createVariables(), bearer(WRONG_TOKEN));
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(await clusterCount(app())).toBe(before);

    const allowed = await overSse(app(), CREATE, createVariables(), bearer(ADMIN_TOKEN));
    expect(allowed.errors).toBeUndefined();
    expect(await clusterCount(app())).toBe(before + 1);
    const query = await overSse(app(), LIST, undefined, {});
    expect(query.data!.clusters).toHaveLength(before + 1);
  });

  it('gives the same UNAUTHENTICATED error on HTTP, SSE and graphql-ws', async () => {
    const http = await gql(app().url, CreateCluster, createVariables());
    const sse = await overSse(app(), CREATE, createVariables(), {});
    const ws = await overWebSocket(app(), CREATE, createVariables(), {});
    const shape = (res: { errors?: readonly { message: string; extensions?: unknown }[] }) =>
      res.errors?.map((e) => ({ message: e.message, extensions: e.extensions }));
    expect(shape(http)).toHaveLength(1);
    expect(shape(sse)).toEqual(shape(http));
    expect(shape(ws)).toEqual(shape(http));
  });

  it('/healthz, /readyz and /metrics need no token', async () => {
    expect(await probe(app(), '/healthz')).toBe(200);
    expect(await probe(app(), '/readyz')).toBe(200);
    expect(await probe(app(), '/metrics')).toBe(200);
  });

  it('does not log that mutations are open', () => {
    expect(appLogs(app()).some((line) => line.msg === 'pvesphere is serving GraphQL')).toBe(true);
    expect(appLogs(app()).some((line) => line.msg === OPEN_MUTATIONS_WARNING)).toBe(false);
  });
});

describe('with PVESPHERE_ADMIN_TOKEN and PVESPHERE_READ_TOKEN set', () => {
  const app = appWith({
    env: { PVESPHERE_ADMIN_TOKEN: ADMIN_TOKEN, PVESPHERE_READ_TOKEN: READ_TOKEN },
  });

  it('HTTP: queries need the read or the admin token', async () => {
    expect(errorCodes(await gql(app().url, ListClusters))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await gql(app().url, ListClusters, {}, { token: WRONG_TOKEN }))).toEqual([
      'UNAUTHENTICATED',
    ]);
    for (const token of [READ_TOKEN, ADMIN_TOKEN]) {
      const res = await gql(app().url, ListClusters, {}, { token });
      expect(res.errors).toBeUndefined();
      expect(res.data!.clusters).toEqual([]);
    }
  });

  it('HTTP: the read token does not allow mutations; the admin token does', async () => {
    const refused = await gql(app().url, CreateCluster, createVariables(), {
      token: READ_TOKEN,
    });
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
    expect(await clusterCount(app())).toBe(0);
    const allowed = await gql(app().url, CreateCluster, createVariables(), {
      token: ADMIN_TOKEN,
    });
    expect(allowed.errors).toBeUndefined();
    expect(await clusterCount(app())).toBe(1);
  });

  it('graphql-ws: a query needs the read token in connectionParams', async () => {
    expect(errorCodes(await overWebSocket(app(), LIST, undefined, undefined))).toEqual([
      'UNAUTHENTICATED',
    ]);
    const res = await overWebSocket(app(), LIST, undefined, {
      Authorization: `Bearer ${READ_TOKEN}`,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.clusters).toHaveLength(1);
    const mutation = await overWebSocket(app(), CREATE, createVariables(), {
      authorization: `Bearer ${READ_TOKEN}`,
    });
    expect(errorCodes(mutation)).toEqual(['UNAUTHENTICATED']);
  });

  it('SSE: a query needs the read token', async () => {
    expect(errorCodes(await overSse(app(), LIST, undefined, {}))).toEqual(['UNAUTHENTICATED']);
    const res = await overSse(app(), LIST, undefined, bearer(READ_TOKEN));
    expect(res.errors).toBeUndefined();
    expect(res.data!.clusters).toHaveLength(1);
  });

  it('/healthz, /readyz and /metrics need no token', async () => {
    expect(await probe(app(), '/healthz')).toBe(200);
    expect(await probe(app(), '/readyz')).toBe(200);
    expect(await probe(app(), '/metrics')).toBe(200);
  });
});

describe('without tokens', () => {
  const app = appWith();

  it('listens on loopback, logs that mutations are open to local users, and runs them', async () => {
    expect(app().config.host).toBe('127.0.0.1');
    expect(appLogs(app()).some((line) => line.msg === OPEN_MUTATIONS_WARNING)).toBe(true);
    const res = await gql(app().url, CreateCluster, createVariables());
    expect(res.errors).toBeUndefined();
    expect(res.data!.createCluster.creator).toBe('graphql');
  });

  it('still refuses a credential that matches no token', async () => {
    const res = await gql(app().url, ListClusters, {}, { token: WRONG_TOKEN });
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('with only PVESPHERE_READ_TOKEN set', () => {
  const app = appWith({ env: { PVESPHERE_READ_TOKEN: READ_TOKEN } });

  it('mutations need the read token too: nothing runs anonymously', async () => {
    const refused = await gql(app().url, CreateCluster, createVariables());
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
    const allowed = await gql(app().url, CreateCluster, createVariables(), {
      token: READ_TOKEN,
    });
    expect(allowed.errors).toBeUndefined();
  });
});
