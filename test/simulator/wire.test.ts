import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/simulator.js';
import { FakeClock } from './support/fake-clock.js';
import { agentFor, authorization, call, closeAgent, useSimulator } from './support/sim-http.js';

const sim = useSimulator({ seed: 3, nodes: 3, guests: 60, clock: new FakeClock().now });

/** raw fetches without undici's automatic decompression, to see the bytes on the wire. */
async function raw(path: string, headers: Record<string, string> = {}) {
  const response = await request(`${sim().url}/api2/json${path}`, {
    headers: { authorization: authorization(sim(), 'sync') ?? '', ...headers },
    dispatcher: agentFor(sim()),
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: Buffer.from(await response.body.arrayBuffer()),
  };
}

describe('PVE envelope and headers (API.md §1.1)', () => {
  it('answers {"data": …} with pve-api-daemon headers and no Connection: close on success', async () => {
    const answer = await call(sim(), '/version');
    expect(answer.status).toBe(200);
    expect(answer.statusText).toBe('OK');
    expect(answer.headers?.['content-type']).toBe('application/json;charset=UTF-8');
    expect(answer.headers?.server).toBe('pve-api-daemon/3.0');
    expect(answer.headers?.['cache-control']).toBe('max-age=0');
    expect(answer.headers?.pragma).toBe('no-cache');
    expect(answer.headers?.expires).toMatch(/GMT$/);
    expect(answer.headers?.connection).not.toBe('close');
    expect(JSON.parse(answer.body)).toEqual({
      data: { version: '9.1.5', release: '9.1', repoid: '80cf92a64bef6889' },
    });
  });

  it('puts the first line of the error message in the reason phrase and closes the connection', async () => {
    const answer = await call(sim(), '/cluster/resources?type=pool');
    expect(answer.status).toBe(400);
    expect(answer.statusText).toBe('Parameter verification failed.');
    expect(answer.headers?.connection).toBe('close');
    expect(JSON.parse(answer.body)).toEqual({
      data: null,
      message: 'Parameter verification failed.\n',
      errors: {
        type: "value 'pool' does not have a value in the enumeration 'vm, storage, node, sdn'",
      },
    });
  });

  it('rejects unknown parameters and badly typed ones with PVE messages', async () => {
    const unknown = JSON.parse((await call(sim(), '/cluster/resources?foo=1')).body);
    expect(unknown.errors).toEqual({
      foo: 'property is not defined in schema and the schema does not allow additional properties',
    });
    const node = sim().control.entryNode;
    const badVmid = JSON.parse((await call(sim(), `/nodes/${node}/qemu/abc/config`)).body);
    expect(badVmid.errors).toEqual({ vmid: "type check ('integer') failed - got 'abc'" });
    const smallVmid = JSON.parse((await call(sim(), `/nodes/${node}/qemu/99/config`)).body);
    expect(smallVmid.errors).toEqual({
      vmid: 'invalid format - value does not look like a valid VM ID\n',
    });
  });

  it('answers 501 for paths and methods no handler serves', async () => {
    const path = await call(sim(), '/cluster/bogus');
    expect(path.status).toBe(501);
    expect(path.statusText).toBe("Method 'GET /cluster/bogus' not implemented");
    const method = await call(sim(), '/cluster/resources', { method: 'POST' });
    expect(method.status).toBe(501);
    expect(JSON.parse(method.body).message).toBe(
      "Method 'POST /cluster/resources' not implemented",
    );
  });

  it('gzips bodies above 1024 bytes only when the client accepts it', async () => {
    const zipped = await raw('/cluster/resources', { 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(zipped.body).toString()).data.length).toBeGreaterThan(60);
    const plain = await raw('/cluster/resources');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString()).data.length).toBeGreaterThan(60);
    const small = await raw('/version', { 'accept-encoding': 'gzip' });
    expect(small.headers['content-encoding']).toBeUndefined();
  });

  it('randomises list order and key order between calls (Perl hash order)', async () => {
    const orders = new Set<string>();
    const keyOrders = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const answer = await call(sim(), '/nodes');
      const rows = JSON.parse(answer.body).data as { node: string }[];
      orders.add(rows.map((row) => row.node).join(','));
      keyOrders.add(answer.body.slice(0, 40));
    }
    expect(orders.size).toBeGreaterThan(1);
    expect(keyOrders.size).toBeGreaterThan(1);
  });
});

describe('authentication failures (API.md §2.2)', () => {
  it('answers 401 "No ticket" with an empty body without credentials', async () => {
    const answer = await call(sim(), '/version', { credentials: 'none' });
    expect([answer.status, answer.statusText, answer.body]).toEqual([401, 'No ticket', '']);
    expect(answer.headers?.connection).toBe('close');
  });

  it('answers 401 "Authentication failed!" for a wrong secret, a seed-style header and unknown paths', async () => {
    for (const credentials of [
      'wrong-secret' as const,
      { header: `PVEAPIToken=pvesphere@pve=${sim().secret}` },
    ]) {
      const answer = await call(sim(), '/cluster/resources', { credentials });
      expect([answer.status, answer.statusText, answer.body]).toEqual([
        401,
        'Authentication failed!',
        '',
      ]);
    }
    const unknown = await call(sim(), '/no/such/path', { credentials: 'wrong-secret' });
    expect(unknown.status).toBe(401);
  });

  it('delays every 401 by the configured time (PVE: 3 s)', async () => {
    const slow = await startSimulator({ guests: 3, authFailureDelayMs: 150, http: true });
    try {
      const started = performance.now();
      const answer = await call(slow, '/version', { credentials: 'wrong-secret' });
      expect(answer.status).toBe(401);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
      const fast = performance.now();
      expect((await call(slow, '/version')).status).toBe(200);
      expect(performance.now() - fast).toBeLessThan(140);
    } finally {
      await closeAgent(slow);
      await slow.stop();
    }
  });
});
