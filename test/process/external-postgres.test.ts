/**
 * pvesphere against an external PostgreSQL 15 (Debian's package) through DATABASE_URL, as an
 * operator with a database server of their own runs it. The tests share one server and database
 * and run in order.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/db/secret-box.js';
import {
  CreateCluster,
  DeleteCluster,
  GetCluster,
  ListClusters,
  SetClusterEnabled,
  SetClusterSchedulable,
  UpdateCluster,
} from '../graphql/operations.js';
import { registerSecret } from '../support/capture.js';
import { gql } from '../support/graphql-client.js';
import { type Postgres15, startPostgres15 } from '../support/process-postgres15.js';
import {
  makeDataDir,
  processesMentioning,
  type RunningServer,
  startServer,
} from '../support/process-server.js';
import {
  ORIGINAL_DISABLE,
  ORIGINAL_INSERT,
  ORIGINAL_TOKEN,
  ORIGINAL_UNSCHEDULE_ENABLE,
  psql,
} from '../support/process-sql.js';

const ADMIN_TOKEN = registerSecret('external-pg-admin-token-5a0c8e2f71');
const SECRET_KEY = randomBytes(32);
registerSecret(SECRET_KEY.toString('base64'));
registerSecret(ORIGINAL_TOKEN);
const TOKEN_SECRET = registerSecret('c81d2e3f-4a5b-46c7-98d9-e0f1a2b3c4d5');
const NEW_TOKEN_SECRET = registerSecret('d92e3f4a-5b6c-47d8-a9e0-f1a2b3c4d5e6');

let postgres: Postgres15;
let databaseUrl: string;
let dataDir: string;
const servers: RunningServer[] = [];

async function start(): Promise<RunningServer> {
  const server = await startServer({
    env: {
      DATABASE_URL: databaseUrl,
      PVESPHERE_DATA_DIR: dataDir,
      PVESPHERE_SECRET_KEY: SECRET_KEY.toString('base64'),
      PVESPHERE_ADMIN_TOKEN: ADMIN_TOKEN,
    },
    name: 'external-pg',
  });
  servers.push(server);
  return server;
}

async function storedTokens(): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ cluster_name: string; user_token: string }>(
      'SELECT cluster_name, user_token FROM pve_cluster',
    );
    return Object.fromEntries(rows.map((row) => [row.cluster_name, row.user_token]));
  } finally {
    await client.end();
  }
}

async function clusters(server: RunningServer) {
  const res = await gql(server.url, ListClusters);
  expect(res.errors).toBeUndefined();
  return res.data!.clusters;
}

beforeAll(async () => {
  postgres = await startPostgres15();
  await postgres.createDatabase('pvesphere');
  databaseUrl = postgres.urlFor('pvesphere');
  dataDir = await makeDataDir('pvesphere-external-');
}, 60_000);

afterAll(async () => {
  for (const server of servers) {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  }
  await postgres?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('pvesphere serve with DATABASE_URL on PostgreSQL 15', { timeout: 60_000 }, () => {
  it('migrates and serves from PostgreSQL 15, with no embedded server and nothing in the data dir', async () => {
    expect(postgres.version).toMatch(/^15\.\d+/);
    const server = await start();
    expect(server.embedded).toBeUndefined();
    expect(
      server.logs().find((l) => l.msg === 'database migrations applied')?.applied,
    ).toBeGreaterThanOrEqual(1);
    const readyz = await fetch(`${server.origin}/readyz`);
    expect(readyz.status).toBe(200);
    await readyz.text();
    expect(await readdir(dataDir)).toEqual([]);
    expect(await processesMentioning(dataDir)).toEqual([]);
    // The database password is in DATABASE_URL only, never in the log.
    expect(server.stdout()).not.toContain(new URL(databaseUrl).password);
  });

  it('runs the documented SQL verbatim: proper booleans, token encrypted on first read, DISABLED then PENDING', async () => {
    const server = servers.at(-1)!;
    expect(await psql(databaseUrl, ORIGINAL_INSERT)).toEqual(['INSERT 0 1']);
    expect(await clusters(server)).toEqual([
      expect.objectContaining({
        id: '1',
        name: 'my-cluster',
        alias: '生产集群',
        tokenId: 'api-user@pve',
        hasToken: true,
        isEnabled: true,
        isSchedulable: true,
        sync: expect.objectContaining({ state: 'PENDING' }),
      }),
    ]);
    const stored = (await storedTokens())['my-cluster']!;
    expect(stored).toMatch(/^enc:v1:/);
    expect(new SecretBox(SECRET_KEY).decrypt(stored) === ORIGINAL_TOKEN).toBe(true);

    expect(await psql(databaseUrl, ORIGINAL_DISABLE)).toEqual(['UPDATE 1']);
    expect((await gql(server.url, GetCluster, { id: '1' })).data!.cluster).toMatchObject({
      isEnabled: false,
      sync: { state: 'DISABLED' },
    });
    expect(await psql(databaseUrl, ORIGINAL_UNSCHEDULE_ENABLE)).toEqual(['UPDATE 1']);
    expect((await gql(server.url, GetCluster, { id: '1' })).data!.cluster).toMatchObject({
      isEnabled: true,
      isSchedulable: false,
      sync: { state: 'PENDING' },
    });
  });

  it('creates, updates, switches and deletes a cluster through GraphQL', async () => {
    const server = servers.at(-1)!;
    const auth = { token: ADMIN_TOKEN };
    const created = await gql(
      server.url,
      CreateCluster,
      {
        input: {
          name: 'pg15-cluster',
          apiUrl: 'https://pve15.example.com:8006',
          tokenId: 'sync@pve!inventory',
          tokenSecret: TOKEN_SECRET,
        },
      },
      auth,
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createCluster.id;

    const updated = await gql(
      server.url,
      UpdateCluster,
      { id, input: { alias: 'PG15', env: 'test', tokenSecret: NEW_TOKEN_SECRET } },
      auth,
    );
    expect(updated.data!.updateCluster).toMatchObject({
      alias: 'PG15',
      env: 'test',
      hasToken: true,
    });
    expect(
      new SecretBox(SECRET_KEY).decrypt((await storedTokens())['pg15-cluster']!) ===
        NEW_TOKEN_SECRET,
    ).toBe(true);

    const disabled = await gql(server.url, SetClusterEnabled, { id, enabled: false }, auth);
    expect(disabled.data!.setClusterEnabled).toMatchObject({
      isEnabled: false,
      sync: { state: 'DISABLED' },
    });
    const unscheduled = await gql(
      server.url,
      SetClusterSchedulable,
      { id, schedulable: false },
      auth,
    );
    expect(unscheduled.data!.setClusterSchedulable).toMatchObject({
      isEnabled: false,
      isSchedulable: false,
    });

    const deleted = await gql(server.url, DeleteCluster, { id }, auth);
    expect(deleted.data!.deleteCluster).toBe(id);
    expect((await clusters(server)).map((c) => c.name)).toEqual(['my-cluster']);
    expect(Object.keys(await storedTokens())).toEqual(['my-cluster']);
  });

  it('a restart keeps the data and applies no migration; SIGTERM stops it with exit 0', async () => {
    const before = await clusters(servers.at(-1)!);
    const first = await servers.at(-1)!.stop('SIGTERM');
    expect(first.code).toBe(0);

    const server = await start();
    expect(server.logs().find((l) => l.msg === 'database schema is up to date')).toMatchObject({
      applied: 0,
    });
    expect(server.logs().some((l) => l.msg === 'database migrations applied')).toBe(false);
    expect(await clusters(server)).toEqual(before);
    const exit = await server.stop('SIGTERM');
    expect(exit.code).toBe(0);
    expect(exit.afterSignalMs).toBeLessThan(5_000);
    // Only the server stopped: PostgreSQL 15 is not pvesphere's to stop.
    expect(await psql(databaseUrl, 'SELECT 1')).toEqual(['SELECT 1']);
  });
});
