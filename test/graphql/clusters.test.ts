import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateClusterInput } from '../generated/graphql.js';
import { registerSecret } from '../support/capture.js';
import { errorCodes, gql } from '../support/graphql-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  CreateCluster,
  DeleteCluster,
  GetCluster,
  ListClusters,
  SetClusterEnabled,
  SetClusterSchedulable,
  UpdateCluster,
} from './operations.js';

const FINGERPRINT = Array.from({ length: 32 }, (_, i) =>
  (i * 7).toString(16).padStart(2, '0'),
).join(':');

let app: TestApp;
let counter = 0;

function validInput(overrides: Partial<CreateClusterInput> = {}): CreateClusterInput {
  counter += 1;
  return {
    name: `cluster-${counter}`,
    apiUrl: 'https://pve.example.com:8006',
    tokenId: 'sync@pve!inventory',
    tokenSecret: registerSecret(`5e6f1c2a-0b7d-4c1e-9a3f-${String(counter).padStart(12, '0')}`),
    ...overrides,
  };
}

async function rowCount(): Promise<number> {
  const [row] = await app.db.query<{ n: string }>('select count(*) as n from pve_cluster');
  return Number(row?.n);
}

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app?.stop();
});

describe('createCluster', () => {
  it('creates a cluster, normalises apiUrl and fingerprint, and never returns the secret', async () => {
    const input = validInput({
      alias: '生产集群',
      env: 'prod',
      apiUrl: 'https://pve.example.com:8006/api2/json/',
      tlsFingerprint: FINGERPRINT.toLowerCase(),
    });
    const res = await gql(app.url, CreateCluster, { input });
    expect(res.errors).toBeUndefined();
    const cluster = res.data!.createCluster;
    expect(cluster).toMatchObject({
      name: input.name,
      alias: '生产集群',
      env: 'prod',
      apiUrl: 'https://pve.example.com:8006',
      tokenId: 'sync@pve!inventory',
      hasToken: true,
      isEnabled: true,
      isSchedulable: true,
      creator: 'graphql',
      tlsFingerprint: FINGERPRINT.toUpperCase(),
      tlsInsecure: false,
      sync: { state: 'PENDING', lastSyncedAt: null, lastError: null },
    });
    expect(cluster.id).toMatch(/^\d+$/);
    expect(JSON.stringify(res)).not.toContain(input.tokenSecret);
  });

  it('stores the secret encrypted, never as plaintext', async () => {
    const input = validInput();
    const res = await gql(app.url, CreateCluster, { input });
    const [row] = await app.db.query<{ user_token: string }>(
      'select user_token from pve_cluster where id = $1',
      [Number(res.data!.createCluster.id)],
    );
    expect(row!.user_token).toMatch(/^enc:v1:/);
    expect(row!.user_token).not.toContain(input.tokenSecret);
  });

  it('refuses a taken name with CLUSTER_NAME_TAKEN and writes nothing', async () => {
    const input = validInput();
    await gql(app.url, CreateCluster, { input });
    const before = await rowCount();
    const res = await gql(app.url, CreateCluster, {
      input: { ...input, tokenSecret: 'other-secret-value' },
    });
    expect(errorCodes(res)).toEqual(['CLUSTER_NAME_TAKEN']);
    expect(res.errors![0]!.extensions!.field).toBe('name');
    expect(await rowCount()).toBe(before);
  });

  const invalid: [string, Partial<CreateClusterInput>, string][] = [
    ['an empty name', { name: '   ' }, 'name'],
    ['a name over 64 characters', { name: 'x'.repeat(65) }, 'name'],
    ['a name with control characters', { name: 'a\u0007b' }, 'name'],
    ['a relative apiUrl', { apiUrl: 'pve.example.com:8006' }, 'apiUrl'],
    ['an ftp apiUrl', { apiUrl: 'ftp://pve.example.com' }, 'apiUrl'],
    ['plain http to a remote host', { apiUrl: 'http://pve.example.com:8006' }, 'apiUrl'],
    ['credentials in apiUrl', { apiUrl: 'https://root:pw@pve.example.com:8006' }, 'apiUrl'],
    ['a path in apiUrl', { apiUrl: 'https://pve.example.com:8006/foo' }, 'apiUrl'],
    ['a query in apiUrl', { apiUrl: 'https://pve.example.com:8006/?a=1' }, 'apiUrl'],
    ['a user instead of a token id', { tokenId: 'api-user@pve' }, 'tokenId'],
    ['a token id without realm', { tokenId: 'root!sync' }, 'tokenId'],
    ['an empty secret', { tokenSecret: '' }, 'tokenSecret'],
    ['a secret with spaces', { tokenSecret: 'abc def' }, 'tokenSecret'],
    ['a short fingerprint', { tlsFingerprint: 'AA:BB:CC' }, 'tlsFingerprint'],
    [
      'a fingerprint with non-hex',
      { tlsFingerprint: FINGERPRINT.replace(/^../, 'ZZ') },
      'tlsFingerprint',
    ],
    [
      'both pinning and insecure',
      { tlsFingerprint: FINGERPRINT, tlsInsecure: true },
      'tlsInsecure',
    ],
    ['an alias over 255 characters', { alias: 'a'.repeat(256) }, 'alias'],
    ['an env over 64 characters', { env: 'e'.repeat(65) }, 'env'],
  ];
  it.each(invalid)(
    'refuses %s with BAD_USER_INPUT naming the field, writing nothing',
    async (_, patch, field) => {
      const before = await rowCount();
      const res = await gql(app.url, CreateCluster, { input: validInput(patch) });
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0]!.extensions!.field).toBe(field);
      expect(res.errors![0]!.message).toMatch(new RegExp(`^${field}: `));
      expect(res.data).toBeNull();
      expect(await rowCount()).toBe(before);
    },
  );

  it('reports every invalid field at once', async () => {
    const res = await gql(app.url, CreateCluster, {
      input: validInput({ name: '', apiUrl: 'nope', tokenId: 'x' }),
    });
    const fields = (res.errors![0]!.extensions!.fields as { field: string }[]).map((p) => p.field);
    expect(fields).toEqual(['name', 'apiUrl', 'tokenId']);
  });

  it('accepts plain http to a loopback host and an explicit creator', async () => {
    const res = await gql(app.url, CreateCluster, {
      input: validInput({ apiUrl: 'http://127.0.0.1:8006', creator: 'ops-team', isEnabled: false }),
    });
    expect(res.data!.createCluster).toMatchObject({
      apiUrl: 'http://127.0.0.1:8006',
      creator: 'ops-team',
      isEnabled: false,
      sync: { state: 'DISABLED' },
    });
  });

  it('rejects input of the wrong GraphQL type before any resolver runs', async () => {
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($i: CreateClusterInput!) { createCluster(input: $i) { id } }',
        variables: { i: { name: 1, apiUrl: 'https://a:8006', tokenId: 'a@b!c' } },
      }),
    });
    const body = (await res.json()) as { errors: { message: string }[] };
    expect(body.errors[0]!.message).toMatch(/tokenSecret|String/);
  });
});

describe('updateCluster and the switches', () => {
  it('changes only the given fields and keeps the secret when none is given', async () => {
    const created = (await gql(app.url, CreateCluster, { input: validInput({ env: 'dev' }) })).data!
      .createCluster;
    const [before] = await app.db.query<{ user_token: string }>(
      'select user_token from pve_cluster where id = $1',
      [Number(created.id)],
    );
    const res = await gql(app.url, UpdateCluster, {
      id: created.id,
      input: { alias: 'renamed', apiUrl: 'https://other.example.com:8006' },
    });
    expect(res.data!.updateCluster).toMatchObject({
      name: created.name,
      alias: 'renamed',
      env: 'dev',
      apiUrl: 'https://other.example.com:8006',
      hasToken: true,
    });
    const [after] = await app.db.query<{ user_token: string }>(
      'select user_token from pve_cluster where id = $1',
      [Number(created.id)],
    );
    expect(after!.user_token).toBe(before!.user_token);
    expect(new Date(res.data!.updateCluster.updatedAt).getTime()).toBeGreaterThanOrEqual(
      new Date(created.updatedAt).getTime(),
    );
  });

  it('replaces the secret, and removes the pin with tlsFingerprint: null', async () => {
    const created = (
      await gql(app.url, CreateCluster, { input: validInput({ tlsFingerprint: FINGERPRINT }) })
    ).data!.createCluster;
    const secret = registerSecret('0f0e0d0c-aaaa-bbbb-cccc-000000000042');
    const res = await gql(app.url, UpdateCluster, {
      id: created.id,
      input: { tokenSecret: secret, tlsFingerprint: null },
    });
    expect(res.data!.updateCluster.tlsFingerprint).toBeNull();
    const row = await app.services.clusters.get(Number(created.id));
    expect(app.services.clusters.readSecret(row!)).toBe(secret);
  });

  it('refuses invalid values and null for required fields, changing nothing', async () => {
    const created = (await gql(app.url, CreateCluster, { input: validInput() })).data!
      .createCluster;
    for (const input of [
      { apiUrl: 'http://10.0.0.1:8006' },
      { tokenId: 'root@pam' },
      { name: null },
      { tokenSecret: null },
      { name: 'ok-name', tlsInsecure: true, tlsFingerprint: FINGERPRINT },
    ]) {
      const res = await gql(app.url, UpdateCluster, { id: created.id, input });
      expect(errorCodes(res), JSON.stringify(input)).toEqual(['BAD_USER_INPUT']);
    }
    const after = (await gql(app.url, GetCluster, { id: created.id })).data!.cluster!;
    expect(after).toEqual(created);
  });

  it('refuses renaming onto a taken name', async () => {
    const a = (await gql(app.url, CreateCluster, { input: validInput() })).data!.createCluster;
    const b = (await gql(app.url, CreateCluster, { input: validInput() })).data!.createCluster;
    const res = await gql(app.url, UpdateCluster, { id: b.id, input: { name: a.name } });
    expect(errorCodes(res)).toEqual(['CLUSTER_NAME_TAKEN']);
  });

  it('switches is_enabled and is_schedulable independently', async () => {
    const created = (await gql(app.url, CreateCluster, { input: validInput() })).data!
      .createCluster;
    const disabled = await gql(app.url, SetClusterEnabled, { id: created.id, enabled: false });
    expect(disabled.data!.setClusterEnabled).toMatchObject({
      isEnabled: false,
      isSchedulable: true,
      sync: { state: 'DISABLED' },
    });
    const unschedulable = await gql(app.url, SetClusterSchedulable, {
      id: created.id,
      schedulable: false,
    });
    expect(unschedulable.data!.setClusterSchedulable).toMatchObject({
      isEnabled: false,
      isSchedulable: false,
    });
    const [row] = await app.db.query<{ is_enabled: number; is_schedulable: number }>(
      'select is_enabled, is_schedulable from pve_cluster where id = $1',
      [Number(created.id)],
    );
    expect(row).toEqual({ is_enabled: 0, is_schedulable: 0 });
  });

  it('answers CLUSTER_NOT_FOUND for a missing id and BAD_USER_INPUT for a malformed one', async () => {
    expect(
      errorCodes(await gql(app.url, SetClusterEnabled, { id: '999999', enabled: true })),
    ).toEqual(['CLUSTER_NOT_FOUND']);
    expect(
      errorCodes(await gql(app.url, UpdateCluster, { id: '999999', input: { env: 'x' } })),
    ).toEqual(['CLUSTER_NOT_FOUND']);
    expect(errorCodes(await gql(app.url, DeleteCluster, { id: 'abc' }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect((await gql(app.url, GetCluster, { id: '999999' })).data!.cluster).toBeNull();
  });
});

describe('deleteCluster', () => {
  it('removes the cluster and, by cascade, its inventory', async () => {
    const created = (await gql(app.url, CreateCluster, { input: validInput() })).data!
      .createCluster;
    const id = Number(created.id);
    await app.db.query(
      `insert into pve_node (cluster_id, node_name, status, resource_hash) values ($1, 'pve1', 'online', 'h')`,
      [id],
    );
    await app.db.query(
      `insert into pve_vm (cluster_id, vmid, node_name, type, status, resource_hash) values ($1, 100, 'pve1', 'qemu', 'running', 'h')`,
      [id],
    );
    const res = await gql(app.url, DeleteCluster, { id: created.id });
    expect(res.data!.deleteCluster).toBe(created.id);
    const left = await app.db.query<{ n: string }>(
      `select (select count(*) from pve_cluster where id = $1) + (select count(*) from pve_node where cluster_id = $1)
         + (select count(*) from pve_vm where cluster_id = $1) as n`,
      [id],
    );
    expect(Number(left[0]!.n)).toBe(0);
    expect(errorCodes(await gql(app.url, DeleteCluster, { id: created.id }))).toEqual([
      'CLUSTER_NOT_FOUND',
    ]);
  });
});

describe('clusters', () => {
  it('lists every cluster ordered by id', async () => {
    const res = await gql(app.url, ListClusters);
    const ids = res.data!.clusters.map((c) => Number(c.id));
    expect(ids.length).toBeGreaterThan(3);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(res.data!.clusters.every((c) => c.hasToken)).toBe(true);
  });
});
