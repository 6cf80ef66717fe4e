import { inspect } from 'node:util';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PveClient, type PveClientOptions } from '../../src/proxmox/client.js';
import { PveBadRequestError } from '../../src/proxmox/errors.js';
import type { PveRequestEvent } from '../../src/proxmox/transport.js';
import { registerSecret } from '../support/capture.js';
import { failure } from './support/failure.js';

const ORIGIN = 'https://pve.test:8006';
const TOKEN_ID = 'inventory@pve!sync';
const SECRET = registerSecret('3c9e1f7a-5b2d-4e8c-a6f0-9d1b3e5c7a20');
const AUTH = `PVEAPIToken=${TOKEN_ID}=${SECRET}`;
const JSON_HEADERS = { 'content-type': 'application/json;charset=UTF-8' };

let agent: MockAgent;
let events: PveRequestEvent[];

function client(overrides: Partial<PveClientOptions> = {}): PveClient {
  return new PveClient({
    baseUrl: ORIGIN,
    tokenId: TOKEN_ID,
    secret: SECRET,
    dispatcher: agent,
    onRequest: (event) => events.push(event),
    ...overrides,
  });
}

function reply(path: string, status: number, body: unknown) {
  return agent
    .get(ORIGIN)
    .intercept({ path: `/api2/json${path}`, method: 'GET' })
    .reply(status, typeof body === 'string' ? body : JSON.stringify(body), {
      headers: JSON_HEADERS,
    });
}

/** leaks is true when the secret appears anywhere in the error, its properties or causes. */
function leaks(err: unknown): boolean {
  return (
    inspect(err, { depth: 20, showHidden: true }).includes(SECRET) ||
    JSON.stringify(err).includes(SECRET)
  );
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  events = [];
});

afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});

describe('PveClient requests', () => {
  it('sends PVEAPIToken=<tokenId>=<secret> and asks for JSON', async () => {
    agent
      .get(ORIGIN)
      .intercept({
        path: '/api2/json/version',
        method: 'GET',
        headers: { authorization: AUTH, accept: 'application/json' },
      })
      .reply(200, { data: { version: '9.1.2', release: '9.1', repoid: 'abcdef01' } });
    await expect(client().getVersion()).resolves.toEqual({
      version: '9.1.2',
      release: '9.1',
      repoid: 'abcdef01',
    });
  });

  it.each([
    ['https://pve.test:8006', '/api2/json/nodes'],
    ['https://pve.test:8006/', '/api2/json/nodes'],
    ['https://pve.test:8006/api2/json', '/api2/json/nodes'],
    ['https://pve.test:8006/api2/json/', '/api2/json/nodes'],
    ['https://pve.test:8006/pve/api2/json', '/pve/api2/json/nodes'],
  ])('accepts base URL %s', async (baseUrl, path) => {
    agent.get(ORIGIN).intercept({ path, method: 'GET' }).reply(200, { data: [] });
    await expect(client({ baseUrl }).listNodes()).resolves.toEqual([]);
  });

  it('URL-encodes node names in paths', async () => {
    reply('/nodes/pve%2F1%20x/qemu/100/config', 200, { data: { digest: 'd' } });
    const config = await client().getQemuConfig('pve/1 x', 100);
    expect(config.digest).toBe('d');
  });

  it('asks /cluster/resources with the type filter of each list', async () => {
    reply('/cluster/resources?type=vm', 200, { data: [] });
    reply('/cluster/resources?type=node', 200, { data: [] });
    reply('/cluster/resources?type=storage', 200, { data: [] });
    const c = client();
    await expect(c.listClusterGuests()).resolves.toEqual([]);
    await expect(c.listClusterNodes()).resolves.toEqual([]);
    await expect(c.listClusterStorage()).resolves.toEqual([]);
  });

  it('reads /cluster/resources without JSON.parse, and a malformed one the ordinary way', async () => {
    const rows = [
      { maxmem: '2048', vmid: '100', status: 'running', type: 'qemu', node: 'pve1', name: 'a' },
      { type: 'node', status: 'online', node: 'pve1', cpu: 0.5, uptime: 10 },
    ];
    reply('/cluster/resources', 200, { data: rows });
    reply('/cluster/resources', 200, { data: [...rows, { type: 'lxc', vmid: 'x', node: 'n' }] });
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const listed = await client().listClusterResources();
      expect(parse).not.toHaveBeenCalled();
      expect(listed.guests).toEqual([
        {
          vmid: 100,
          type: 'qemu',
          node: 'pve1',
          name: 'a',
          status: 'running',
          maxmem: 2048,
          tags: [],
        },
      ]);
      expect(listed.nodes).toEqual([
        { name: 'pve1', status: 'online', usage: { cpu: 0.5, mem: 0, disk: 0, uptime: 10 } },
      ]);
      const err = await failure(client().listClusterResources());
      expect(parse).toHaveBeenCalled();
      expect(err).toMatchObject({ code: 'PVE_BAD_RESPONSE', field: 'data[2].vmid', status: 200 });
    } finally {
      parse.mockRestore();
    }
  });

  it('rejects bad method arguments before sending anything', async () => {
    const c = client();
    expect((await failure(c.getQemuConfig('pve1', 0))).code).toBe('PVE_INVALID_ARGUMENT');
    expect((await failure(c.getLxcConfig('pve1', 1.5))).code).toBe('PVE_INVALID_ARGUMENT');
    expect((await failure(c.listQemu(''))).code).toBe('PVE_INVALID_ARGUMENT');
    expect(events).toEqual([]);
  });
});

describe('PveClient options', () => {
  it.each([
    ['seed-style token id without !name', { tokenId: 'inventory@pve' }, 'tokenId'],
    ['token id with the secret pasted in', { tokenId: `${TOKEN_ID}=${SECRET}` }, 'tokenId'],
    ['empty secret', { secret: '' }, 'secret'],
    ['secret containing "="', { secret: `${SECRET}=x` }, 'secret'],
    ['secret with a newline', { secret: `${SECRET}\n` }, 'secret'],
    ['non-http URL', { baseUrl: 'ftp://pve.test' }, 'baseUrl'],
    ['URL with credentials', { baseUrl: `https://root:${SECRET}@pve.test:8006` }, 'baseUrl'],
    ['malformed fingerprint', { tlsFingerprint: 'AA:BB' }, 'tlsFingerprint'],
    [
      'fingerprint and insecure together',
      { tlsFingerprint: 'AB'.repeat(32), tlsInsecure: true },
      'tlsInsecure',
    ],
    ['zero detail concurrency', { detailConcurrency: 0 }, 'detailConcurrency'],
    ['negative timeout', { timeouts: { headersMs: -1 } }, 'timeouts.headersMs'],
  ])(
    'refuses %s with PVE_INVALID_ARGUMENT, without echoing values',
    (_name, overrides, argument) => {
      let thrown: unknown;
      try {
        client(overrides as Partial<PveClientOptions>);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toMatchObject({ code: 'PVE_INVALID_ARGUMENT', argument, retryable: false });
      expect(leaks(thrown)).toBe(false);
    },
  );
});

describe('PveClient errors', () => {
  it('maps 400 with parameter errors to PVE_BAD_REQUEST carrying them', async () => {
    reply('/cluster/resources?type=vm', 400, {
      data: null,
      message: 'Parameter verification failed.\n',
      errors: {
        type: "value 'x' does not have a value in the enumeration 'vm, storage, node, sdn'",
      },
    });
    const err = await failure(client().listClusterGuests());
    expect(err).toBeInstanceOf(PveBadRequestError);
    expect(err).toMatchObject({ code: 'PVE_BAD_REQUEST', status: 400, retryable: false });
    expect((err as PveBadRequestError).paramErrors.type).toContain('enumeration');
    expect(err.message).toContain('Parameter verification failed.');
  });

  it('keeps a 500 that is not about the agent an error of the agent call', async () => {
    reply('/nodes/pve1/qemu/105/agent/network-get-interfaces', 500, {
      data: null,
      message: "Configuration file 'nodes/pve1/qemu-server/105.conf' does not exist\n",
    });
    const err = await failure(client().getQemuAgentInterfaces('pve1', 105));
    expect(err).toMatchObject({
      code: 'PVE_SERVER',
      status: 500,
      path: '/nodes/pve1/qemu/105/agent/network-get-interfaces',
    });
  });

  it('turns a stopped container into "no IPs known" for lxc interfaces', async () => {
    reply('/nodes/pve2/lxc/200/interfaces', 500, { data: null, message: 'CT 200 not running\n' });
    await expect(client().getLxcInterfaces('pve2', 200)).resolves.toEqual({
      kind: 'unavailable',
      reason: 'guest-not-running',
      message: 'CT 200 not running',
    });
  });

  it('turns an empty lxc interfaces answer (data: null) into "no IPs known"', async () => {
    reply('/nodes/pve2/lxc/201/interfaces', 200, { data: null });
    await expect(client().getLxcInterfaces('pve2', 201)).resolves.toMatchObject({
      kind: 'unavailable',
      reason: 'guest-not-running',
    });
  });

  it.each([
    ['ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:8006'],
    ['ECONNRESET', 'socket hang up'],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND pve.test'],
  ])('maps a %s connection failure to retryable PVE_NETWORK', async (code, message) => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/api2/json/cluster/resources', method: 'GET' })
      .replyWithError(Object.assign(new Error(message), { code }));
    const err = await failure(client().listClusterResources());
    expect(err).toMatchObject({ code: 'PVE_NETWORK', retryable: true, path: '/cluster/resources' });
    expect(err.message).toContain(code);
  });

  it('never keeps the secret from an undici error that echoes the request headers', async () => {
    // An interceptor that matches the path but wants other headers: MockAgent's
    // MockNotMatchedError then lists the request headers, the Authorization header included.
    const other = { authorization: 'PVEAPIToken=other@pve!x=y' };
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: '/api2/json/nodes', method: 'GET', headers: other })
      .reply(200, { data: [] });
    const err = await failure(client().listNodes());
    expect(err.code).toBe('PVE_NETWORK');
    expect(err.cause).toBeInstanceOf(Error);
    expect(leaks(err)).toBe(false);
    // The raw undici error does carry the secret: the check above could fail.
    const raw = await pool
      .request({ path: '/api2/json/nodes', method: 'GET', headers: { authorization: AUTH } })
      .catch((e: unknown) => e);
    expect(inspect(raw)).toContain(SECRET);
    const consumed = await pool.request({
      path: '/api2/json/nodes',
      method: 'GET',
      headers: other,
    });
    await consumed.body.dump();
  });

  it('redacts the secret when a server echoes it in its error message', async () => {
    reply('/nodes', 401, { data: null, message: `bad token ${AUTH}\n` });
    const err = await failure(client().listNodes());
    expect(err.code).toBe('PVE_AUTH');
    expect(err.message).toContain('[redacted]');
    expect(leaks(err)).toBe(false);
  });

  it('aborts a running call with PVE_ABORTED', async () => {
    reply('/cluster/resources', 200, { data: [] }).delay(200);
    const controller = new AbortController();
    const call = client().listClusterResources({ signal: controller.signal });
    await flush();
    controller.abort();
    const err = await failure(call);
    expect(err).toMatchObject({ code: 'PVE_ABORTED', retryable: false });
  });

  it('aborts a detail call waiting for a slot without sending it', async () => {
    reply('/nodes/pve1/qemu/100/config', 200, { data: { digest: 'a' } }).delay(50);
    const c = client({ detailConcurrency: 1 });
    const first = c.getQemuConfig('pve1', 100);
    const controller = new AbortController();
    const second = c.getQemuConfig('pve1', 101, { signal: controller.signal });
    await flush();
    controller.abort();
    const err = await failure(second);
    expect(err).toMatchObject({ code: 'PVE_ABORTED', path: '/nodes/pve1/qemu/101/config' });
    await expect(first).resolves.toMatchObject({ digest: 'a' });
    expect(events.map((e) => e.path)).toEqual(['/nodes/pve1/qemu/100/config']);
  });
});

describe('PveClient concurrency', () => {
  /** trackedReplies answers `paths` after a delay and records how many were in flight at most. */
  function trackedReplies(paths: string[], data: unknown) {
    const state = { inFlight: 0, peak: 0 };
    for (const path of paths) {
      agent
        .get(ORIGIN)
        .intercept({ path: `/api2/json${path}`, method: 'GET' })
        .reply(() => {
          state.inFlight++;
          state.peak = Math.max(state.peak, state.inFlight);
          return { statusCode: 200, data: JSON.stringify({ data }) };
        })
        .delay(30);
    }
    return state;
  }

  it('runs at most detailConcurrency detail calls at once', async () => {
    const vmids = [100, 101, 102, 103, 104, 105, 106];
    const state = trackedReplies(
      vmids.map((vmid) => `/nodes/pve1/qemu/${vmid}/config`),
      { digest: 'x' },
    );
    const c = client({
      detailConcurrency: 2,
      onRequest: (event) => {
        state.inFlight--;
        events.push(event);
      },
    });
    await Promise.all(vmids.map((vmid) => c.getQemuConfig('pve1', vmid)));
    expect(state.peak).toBe(2);
    expect(events.every((e) => e.kind === 'detail')).toBe(true);
  });

  it('applies the default limit of 4', async () => {
    const vmids = [100, 101, 102, 103, 104, 105, 106, 107, 108];
    const state = trackedReplies(
      vmids.map((vmid) => `/nodes/pve1/lxc/${vmid}/config`),
      { digest: 'x' },
    );
    const c = client({ onRequest: () => state.inFlight-- });
    await Promise.all(vmids.map((vmid) => c.getLxcConfig('pve1', vmid)));
    expect(state.peak).toBe(4);
  });

  it('does not limit list calls', async () => {
    const nodes = ['a', 'b', 'c', 'd', 'e'];
    const state = trackedReplies(
      nodes.map((node) => `/nodes/${node}/qemu`),
      [],
    );
    const c = client({ detailConcurrency: 1, onRequest: () => state.inFlight-- });
    await Promise.all(nodes.map((node) => c.listQemu(node)));
    expect(state.peak).toBe(5);
  });
});

describe('PveClient onRequest', () => {
  it('reports kind, status, duration and error code of every call', async () => {
    reply('/version', 200, { data: { version: '9', release: '9', repoid: '01234567' } });
    reply('/cluster/resources?type=vm', 200, { data: [] });
    reply('/nodes/pve1/qemu/100/config', 403, { data: null, message: 'Permission check failed\n' });
    reply('/nodes/pve1/qemu/101/agent/network-get-interfaces', 500, {
      data: null,
      message: 'QEMU guest agent is not running\n',
    });
    const c = client();
    await c.getVersion();
    await c.listClusterGuests();
    await c.getQemuConfig('pve1', 100).catch(() => undefined);
    await c.getQemuAgentInterfaces('pve1', 101);
    expect(events.map(({ durationMs, ...rest }) => rest)).toEqual([
      { method: 'GET', path: '/version', kind: 'meta', status: 200 },
      { method: 'GET', path: '/cluster/resources?type=vm', kind: 'list', status: 200 },
      {
        method: 'GET',
        path: '/nodes/pve1/qemu/100/config',
        kind: 'detail',
        status: 403,
        errorCode: 'PVE_FORBIDDEN',
      },
      {
        method: 'GET',
        path: '/nodes/pve1/qemu/101/agent/network-get-interfaces',
        kind: 'detail',
        status: 500,
      },
    ]);
    for (const event of events) expect(event.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a malformed answer as PVE_BAD_RESPONSE with its status', async () => {
    reply('/cluster/status', 200, { data: [{ type: 'node', name: 'a', nodeid: 'x' }] });
    const err = await failure(client().getClusterStatus());
    expect(err).toMatchObject({ code: 'PVE_BAD_RESPONSE', field: 'data[0].nodeid', status: 200 });
    expect(events[0]).toMatchObject({ status: 200, errorCode: 'PVE_BAD_RESPONSE', kind: 'list' });
  });

  it('ignores a hook that throws', async () => {
    reply('/nodes', 200, { data: [] });
    const c = client({
      onRequest: () => {
        throw new Error('metrics down');
      },
    });
    await expect(c.listNodes()).resolves.toEqual([]);
  });
});

describe('PveClient close', () => {
  it('leaves an injected dispatcher open', async () => {
    const c = client();
    await c.close();
    reply('/nodes', 200, { data: [] });
    await expect(client().listNodes()).resolves.toEqual([]);
  });
});
