import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSecret } from '../support/capture.js';
import { errorCodes, gql } from '../support/graphql-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { CreateCluster, ListClusters } from './operations.js';

const ADMIN = registerSecret('admin-token-for-status-tests-0123');
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ env: { PVESPHERE_ADMIN_TOKEN: ADMIN } });
});

afterAll(async () => {
  await app?.stop();
});

const input = {
  name: 'status',
  apiUrl: 'https://pve.example.com:8006',
  tokenId: 'a@pve!tk',
  tokenSecret: registerSecret('secret-for-status-tests-9876'),
};

describe('HTTP status of a refused credential (GraphQL over HTTP)', () => {
  it('is 401 with the UNAUTHENTICATED error in the body, without the internal http extension', async () => {
    for (const token of [undefined, 'wrong-token-0123456789']) {
      const res = await gql(app.url, CreateCluster, { input }, token ? { token } : {});
      expect(res.status).toBe(401);
      expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
      expect(res.errors![0]!.extensions).not.toHaveProperty('http');
      expect(res.data).toBeUndefined();
    }
  });

  it('is 200 for a permitted operation and for an error of the input', async () => {
    expect((await gql(app.url, ListClusters)).status).toBe(200);
    const bad = await gql(
      app.url,
      CreateCluster,
      { input: { ...input, name: '' } },
      { token: ADMIN },
    );
    expect([bad.status, errorCodes(bad)]).toEqual([200, ['BAD_USER_INPUT']]);
  });
});
