/**
 * The original project's documented SQL (DESIGN §4), run verbatim the way psql sends it (simple
 * query protocol, no parameters) against the database of a running server.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCluster, ListClusters } from '../graphql/operations.js';
import { capturedFiles, registerSecret } from '../support/capture.js';
import { gql } from '../support/graphql-client.js';
import {
  ORIGINAL_DISABLE,
  ORIGINAL_INSERT,
  ORIGINAL_TOKEN,
  ORIGINAL_UNSCHEDULE_ENABLE,
  psql as runSql,
} from '../support/process-sql.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The plaintext token the documented INSERT stores: a secret like any other. */
const SQL_TOKEN = registerSecret(ORIGINAL_TOKEN);

let app: TestApp;

function psql(sql: string): Promise<string[]> {
  return runSql(app.db.url, sql);
}

async function storedToken(): Promise<string> {
  const [row] = await app.db.query<{ user_token: string }>(
    `SELECT user_token FROM pve_cluster WHERE cluster_name = 'my-cluster'`,
  );
  return row!.user_token;
}

async function listed() {
  const res = await gql(app.url, ListClusters);
  expect(res.errors).toBeUndefined();
  return res.data!.clusters;
}

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app?.stop();
});

describe('the documented SQL against a running server', () => {
  it('the INSERT works verbatim and its row appears in clusters with proper booleans', async () => {
    expect(await psql(ORIGINAL_INSERT)).toEqual(['INSERT 0 1']);
    expect(await storedToken()).toBe(SQL_TOKEN);

    expect(await listed()).toEqual([
      expect.objectContaining({
        id: '1',
        name: 'my-cluster',
        alias: '生产集群',
        env: 'prod',
        apiUrl: 'https://10.7.64.206:8006',
        tokenId: 'api-user@pve',
        hasToken: true,
        isEnabled: true,
        isSchedulable: true,
        creator: 'admin',
        tlsFingerprint: null,
        tlsInsecure: false,
        sync: { state: 'PENDING', lastSyncedAt: null, lastError: null },
      }),
    ]);
  });

  it('the plaintext token is encrypted at rest by that first read and still reads back', async () => {
    const stored = await storedToken();
    expect(stored).toMatch(/^enc:v1:/);
    expect(stored).not.toContain(SQL_TOKEN);
    const row = await app.services.clusters.get(1);
    expect(app.services.clusters.readSecret(row!) === SQL_TOKEN).toBe(true);
    // A second read leaves the ciphertext alone.
    await listed();
    expect(await storedToken()).toBe(stored);
  });

  it('logs the encrypting UPDATE (debug level) without the plaintext token', async () => {
    const ownLog = capturedFiles('logs').find((file) =>
      file.endsWith(`worker-${process.pid}.ndjson`),
    );
    const lines = readFileSync(ownLog!, 'utf8').split('\n');
    // The server did log that UPDATE: the check below looks where the token would be.
    expect(lines.some((line) => /update \\"pve_cluster\\" set \\"user_token\\"/.test(line))).toBe(
      true,
    );
    expect(lines.filter((line) => line.includes(SQL_TOKEN))).toEqual([]);
  });

  it('UPDATE … SET is_enabled = 0 shows the cluster DISABLED, keeping it schedulable', async () => {
    expect(await psql(ORIGINAL_DISABLE)).toEqual(['UPDATE 1']);
    const res = await gql(app.url, GetCluster, { id: '1' });
    expect(res.data!.cluster).toMatchObject({
      isEnabled: false,
      isSchedulable: true,
      sync: { state: 'DISABLED' },
    });
  });

  it('UPDATE … SET is_schedulable = 0, is_enabled = 1 WHERE id = 1 shows it PENDING, not schedulable', async () => {
    expect(await psql(ORIGINAL_UNSCHEDULE_ENABLE)).toEqual(['UPDATE 1']);
    const res = await gql(app.url, GetCluster, { id: '1' });
    expect(res.data!.cluster).toMatchObject({
      isEnabled: true,
      isSchedulable: false,
      hasToken: true,
      sync: { state: 'PENDING' },
    });
  });

  it('the three statements also run as one psql script, and a SQL DELETE removes the cluster', async () => {
    await psql(`DELETE FROM pve_cluster; ALTER SEQUENCE pve_cluster_id_seq RESTART WITH 1;`);
    expect(
      await psql([ORIGINAL_INSERT, ORIGINAL_DISABLE, ORIGINAL_UNSCHEDULE_ENABLE].join('\n')),
    ).toEqual(['INSERT 0 1', 'UPDATE 1', 'UPDATE 1']);
    expect(await listed()).toEqual([
      expect.objectContaining({
        id: '1',
        name: 'my-cluster',
        hasToken: true,
        isEnabled: true,
        isSchedulable: false,
      }),
    ]);
    expect(await psql(`DELETE FROM pve_cluster WHERE cluster_name = 'my-cluster';`)).toEqual([
      'DELETE 1',
    ]);
    expect(await listed()).toEqual([]);
  });
});
