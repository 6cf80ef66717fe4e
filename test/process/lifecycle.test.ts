/**
 * The server as an operator runs it — built, `node dist/src/main.js serve` as `npm start` runs
 * it — with the embedded PostgreSQL in a fresh data directory, then stopped (SIGTERM, SIGINT),
 * restarted and killed (SIGKILL) on that same directory. The tests share the directory and run in order, each starting where the
 * previous one left the data and the server.
 */

import { readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { print } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { isProcessAlive } from '../../src/db/process-identity.js';
import { SecretBox } from '../../src/db/secret-box.js';
import { SECRET_KEY_FILE } from '../../src/db/secret-key.js';
import { CreateCluster, ListClusters, SetClusterEnabled } from '../graphql/operations.js';
import { captureResponse, registerSecret } from '../support/capture.js';
import { gql } from '../support/graphql-client.js';
import {
  buildPvesphere,
  embeddedDatabaseConfig,
  type LogLine,
  makeDataDir,
  processesMentioning,
  type RunningServer,
  startServer,
} from '../support/process-server.js';

const ADMIN_TOKEN = registerSecret('lifecycle-admin-token-4f1d9a7c2e');
const TOKEN_SECRET = registerSecret('0f5e1c7a-9b2d-4e6f-8a1c-3d5b7e9f1a2c');
/** DESIGN §6 / issue 2: a graceful stop takes at most 5 s. */
const STOP_BUDGET_MS = 5_000;

let dataDir: string;
/** Every server child and postmaster pid this file started, for the cleanup of a failed run. */
const children: RunningServer[] = [];
const postmasters = new Set<number>();

async function start(): Promise<RunningServer> {
  const server = await startServer({
    env: { PVESPHERE_DATA_DIR: dataDir, PVESPHERE_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'info' },
    name: 'lifecycle',
    built: true,
  });
  children.push(server);
  expect(server.embedded, 'the embedded PostgreSQL logged its start').toBeDefined();
  postmasters.add(Number(server.embedded!.pid));
  const keyFile = join(dataDir, SECRET_KEY_FILE);
  registerSecret((await readFile(keyFile, 'utf8')).trim());
  return server;
}

function hasLog(server: RunningServer, msg: string): LogLine | undefined {
  return server.logs().find((line) => line.msg === msg);
}

/** expectCleanStop asserts a stop: exit 0 in time, and no PostgreSQL left on the data dir. */
async function expectCleanStop(server: RunningServer, signal: NodeJS.Signals): Promise<void> {
  const exit = await server.stop(signal);
  expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
  expect(exit.afterSignalMs).toBeLessThan(STOP_BUDGET_MS);
  expect(hasLog(server, 'shutting down')).toMatchObject({ signal });
  expect(hasLog(server, 'embedded postgres stopped')).toBeDefined();
  expect(hasLog(server, 'stopped')).toBeDefined();
  expect(await isProcessAlive(Number(server.embedded!.pid))).toBe(false);
  expect(await processesMentioning(dataDir)).toEqual([]);
}

async function clusters(server: RunningServer) {
  const res = await gql(server.url, ListClusters);
  expect(res.errors).toBeUndefined();
  return res.data!.clusters;
}

async function fetchText(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers, redirect: 'manual' });
  const body = await response.text();
  captureResponse(body);
  return { status: response.status, headers: response.headers, body };
}

/**
 * postSlowly posts a GraphQL query whose body arrives in two parts: the first before `between`
 * runs (with `Expect: 100-continue`, whose interim response proves the server took the request
 * up), the rest after it. Resolves with the response status and body.
 */
async function postSlowly(
  url: string,
  query: string,
  between: () => Promise<void>,
): Promise<{ status: number; body: string }> {
  const body = Buffer.from(JSON.stringify({ query }));
  const half = Math.floor(body.length / 2);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(body.length),
        accept: 'application/graphql-response+json',
        expect: '100-continue',
      },
    });
    req.on('error', reject);
    req.on('continue', () => {
      req.write(body.subarray(0, half));
      between().then(() => req.end(body.subarray(half)), reject);
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        captureResponse(text);
        resolve({ status: res.statusCode ?? 0, body: text });
      });
    });
    req.flushHeaders();
  });
}

/** openGraphQLWebSocket connects with graphql-ws and resolves once the server acknowledged. */
function openGraphQLWebSocket(url: string): Promise<{ closed: Promise<number> }> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () =>
      socket.send(
        JSON.stringify({
          type: 'connection_init',
          payload: { authorization: `Bearer ${ADMIN_TOKEN}` },
        }),
      ),
    );
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      if (message.type === 'connection_ack') resolve({ closed });
    });
  });
}

beforeAll(async () => {
  dataDir = await makeDataDir('pvesphere-lifecycle-');
  // The server runs as `npm start` runs it: built (tsc) into dist/.
  await buildPvesphere();
}, 120_000);

afterAll(async () => {
  // Only after a failure is anything left: end exactly what this file started.
  for (const server of children) {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  }
  for (const pid of postmasters) {
    if (await isProcessAlive(pid)) process.kill(pid, 'SIGQUIT');
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('pvesphere serve with the embedded PostgreSQL, one data directory', {
  timeout: 60_000,
}, () => {
  let clusterId: string;

  it('starts on a fresh data dir and serves GraphiQL, the probes, GraphQL and metrics', async () => {
    const server = await start();
    expect(hasLog(server, 'embedded postgres initialised')).toBeDefined();
    expect(hasLog(server, 'database migrations applied')?.applied).toBeGreaterThanOrEqual(1);
    expect(
      hasLog(
        server,
        'generated a key for token secrets at rest; server replicas sharing one database must all be given the same PVESPHERE_SECRET_KEY',
      ),
    ).toBeDefined();
    expect((await stat(join(dataDir, SECRET_KEY_FILE))).mode & 0o777).toBe(0o600);

    const graphiql = await fetchText(server.url, { accept: 'text/html' });
    expect(graphiql.status).toBe(200);
    expect(graphiql.headers.get('content-type')).toMatch(/^text\/html/);
    expect(graphiql.body).toMatch(/<title>pvesphere<\/title>/);
    expect(graphiql.body.toLowerCase()).toContain('graphiql');

    const root = await fetchText(server.origin);
    expect([root.status, root.headers.get('location')]).toEqual([302, '/graphql']);

    const healthz = await fetchText(`${server.origin}/healthz`);
    expect([healthz.status, JSON.parse(healthz.body)]).toEqual([200, { status: 'ok' }]);
    const readyz = await fetchText(`${server.origin}/readyz`);
    expect(readyz.status).toBe(200);
    expect(JSON.parse(readyz.body)).toEqual({
      ready: true,
      checks: { database: { ok: true }, informers: { ok: true } },
    });

    const created = await gql(
      server.url,
      CreateCluster,
      {
        input: {
          name: 'lifecycle',
          apiUrl: 'https://pve.example.com:8006',
          tokenId: 'sync@pve!inventory',
          tokenSecret: TOKEN_SECRET,
        },
      },
      { token: ADMIN_TOKEN },
    );
    expect(created.errors).toBeUndefined();
    clusterId = created.data!.createCluster.id;
    expect(created.data!.createCluster.creator).toBe('admin');

    const metrics = await fetchText(`${server.origin}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(metrics.body).toMatch(new RegExp(`^${name} \\d`, 'm'));
    }
    expect(metrics.body).toMatch(
      /^pvesphere_graphql_operations_total\{operation_type="mutation",operation_name="CreateCluster",outcome="ok"\} 1$/m,
    );
    expect(metrics.body).toMatch(
      /^pvesphere_graphql_operation_duration_seconds_count\{operation_type="mutation",operation_name="CreateCluster"\} 1$/m,
    );
  });

  it('SIGTERM: finishes the request in flight, closes WebSockets, stops PostgreSQL, exits 0 within 5 s', async () => {
    const server = children.at(-1)!;
    const socket = await openGraphQLWebSocket(server.url);
    const slow = postSlowly(server.url, print(ListClusters), async () => {
      server.signal('SIGTERM');
      await server.waitForLog((line) => line.msg === 'shutting down', STOP_BUDGET_MS);
    });

    const response = await slow;
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body) as { data?: { clusters: { name: string }[] } };
    expect(body.data?.clusters.map((c) => c.name)).toEqual(['lifecycle']);
    expect(await socket.closed).toBe(1001);
    expect(hasLog(server, 'cutting requests still running at shutdown')).toBeUndefined();
    await expectCleanStop(server, 'SIGTERM');
  });

  it('a restart keeps the data, applies no migration and reuses the 0600 key file', async () => {
    const keyBefore = await readFile(join(dataDir, SECRET_KEY_FILE), 'utf8');
    const server = await start();
    expect(hasLog(server, 'embedded postgres initialised')).toBeUndefined();
    expect(hasLog(server, 'database migrations applied')).toBeUndefined();
    expect(hasLog(server, 'database schema is up to date')).toMatchObject({ applied: 0 });
    expect(hasLog(server, 'token secrets are encrypted with the key file')).toBeDefined();
    expect(await readFile(join(dataDir, SECRET_KEY_FILE), 'utf8')).toBe(keyBefore);
    expect((await stat(join(dataDir, SECRET_KEY_FILE))).mode & 0o777).toBe(0o600);

    expect(await clusters(server)).toEqual([
      expect.objectContaining({ id: clusterId, name: 'lifecycle', hasToken: true }),
    ]);
    // The stored secret is ciphertext that the reused key file decrypts to the original.
    const client = new pg.Client(
      await embeddedDatabaseConfig(dataDir, Number(server.embedded!.port)),
    );
    await client.connect();
    try {
      const { rows } = await client.query<{ user_token: string }>(
        'SELECT user_token FROM pve_cluster WHERE id = $1',
        [Number(clusterId)],
      );
      expect(rows[0]!.user_token).toMatch(/^enc:v1:/);
      const box = new SecretBox(Buffer.from(keyBefore.trim(), 'base64'));
      expect(box.decrypt(rows[0]!.user_token) === TOKEN_SECRET).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('kill -9: the next start stops the orphaned PostgreSQL, finds the data intact; SIGINT stops it', async () => {
    // The server of the previous test: a write, then SIGKILL.
    const first = children.at(-1)!;
    const disabled = await gql(
      first.url,
      SetClusterEnabled,
      { id: clusterId, enabled: false },
      { token: ADMIN_TOKEN },
    );
    expect(disabled.errors).toBeUndefined();
    const orphan = Number(first.embedded!.pid);

    const exit = await first.stop('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    // PostgreSQL outlives a killed server: that is what the next start has to deal with.
    expect(await isProcessAlive(orphan)).toBe(true);

    const second = await start();
    expect(
      hasLog(
        second,
        'stopping embedded postgres left running by a previous pvesphere process that is gone',
      ),
    ).toMatchObject({ pid: orphan, previousOwnerPid: first.pid });
    expect(await isProcessAlive(orphan)).toBe(false);
    expect(hasLog(second, 'database schema is up to date')).toBeDefined();
    expect(await clusters(second)).toEqual([
      expect.objectContaining({
        id: clusterId,
        name: 'lifecycle',
        hasToken: true,
        isEnabled: false,
        sync: expect.objectContaining({ state: 'DISABLED' }),
      }),
    ]);
    await expectCleanStop(second, 'SIGINT');
  });
});
