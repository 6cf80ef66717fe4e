import { X509Certificate } from 'node:crypto';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { generate } from 'selfsigned';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PveClient, type PveClientOptions } from '../../src/proxmox/client.js';
import type { PveTlsError } from '../../src/proxmox/errors.js';
import { sharedSecureContext } from '../../src/proxmox/tls.js';
import { registerSecret } from '../support/capture.js';
import { failure } from './support/failure.js';

const TOKEN_ID = 'inventory@pve!sync';
const SECRET = registerSecret('6b0f2e8d-4a1c-4d3b-8e5f-7c9a1b3d5e60');

/** A tiny PVE: /version and /nodes, counting the requests that got through TLS. */
const pveHandler =
  (seen: { requests: number }): RequestListener =>
  (req, res) => {
    seen.requests++;
    res.setHeader('content-type', 'application/json;charset=UTF-8');
    if (req.url === '/api2/json/version') {
      res.end(JSON.stringify({ data: { version: '9.1.2', release: '9.1', repoid: '0a1b2c3d' } }));
    } else if (req.url === '/api2/json/nodes') {
      res.end(
        JSON.stringify({
          data: [
            { id: 'node/pve1', node: 'pve1', type: 'node', status: 'online' },
            { id: 'node/pve2', node: 'pve2', type: 'node', status: 'offline' },
          ],
        }),
      );
    } else {
      res.writeHead(501, `Method 'GET ${req.url}' not implemented`).end();
    }
  };

async function listen<T extends Server | TcpServer>(server: T): Promise<T> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function portOf(server: Server | TcpServer): number {
  return (server.address() as AddressInfo).port;
}

async function close(server: Server | TcpServer): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const clients: PveClient[] = [];
function client(options: Partial<PveClientOptions> & { baseUrl: string }): PveClient {
  const c = new PveClient({ tokenId: TOKEN_ID, secret: SECRET, ...options });
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('PveClient TLS against a self-signed HTTPS server', () => {
  const seen = { requests: 0 };
  let server: Server;
  let baseUrl: string;
  let fingerprint: string;

  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: 'pve1.test' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    fingerprint = new X509Certificate(pems.cert).fingerprint256;
    server = await listen(
      createHttpsServer({ key: pems.private, cert: pems.cert }, pveHandler(seen)),
    );
    baseUrl = `https://127.0.0.1:${portOf(server)}`;
  }, 60_000);
  afterAll(async () => {
    await close(server);
  });
  afterEach(() => {
    seen.requests = 0;
  });

  it('refuses an untrusted certificate by default, reporting the fingerprint to pin', async () => {
    const err = (await failure(client({ baseUrl }).testConnection())) as PveTlsError;
    expect(err).toMatchObject({ code: 'PVE_TLS', retryable: false, path: '/version' });
    expect(err.presentedFingerprint).toBe(fingerprint);
    expect(err.message).toContain(fingerprint);
    expect(seen.requests).toBe(0);
  });

  it.each([
    ['as PVE shows it', (fp: string) => fp],
    ['in lower case', (fp: string) => fp.toLowerCase()],
    ['without colons', (fp: string) => fp.replace(/:/g, '')],
  ])('accepts the certificate pinned by fingerprint %s', async (_name, form) => {
    const result = await client({ baseUrl, tlsFingerprint: form(fingerprint) }).testConnection();
    expect(result).toEqual({
      version: { version: '9.1.2', release: '9.1', repoid: '0a1b2c3d' },
      nodeCount: 2,
      fingerprint,
    });
  });

  it('refuses a certificate whose fingerprint differs from the pin', async () => {
    const pin = `${'AB:'.repeat(31)}AB`;
    const err = (await failure(
      client({ baseUrl, tlsFingerprint: pin }).listNodes(),
    )) as PveTlsError;
    expect(err).toMatchObject({ code: 'PVE_TLS', path: '/nodes' });
    expect(err.presentedFingerprint).toBe(fingerprint);
    expect(err.message).toContain('mismatch');
    expect(seen.requests).toBe(0);
  });

  it('accepts any certificate with tlsInsecure and still reports its fingerprint', async () => {
    const result = await client({ baseUrl, tlsInsecure: true }).testConnection();
    expect(result.fingerprint).toBe(fingerprint);
    expect(result.nodeCount).toBe(2);
  });

  it("applies each client's own policy on the TLS context all clients share", async () => {
    expect(sharedSecureContext()).toBe(sharedSecureContext());
    const [pinned, wrongPin, verified, insecure] = await Promise.allSettled([
      client({ baseUrl, tlsFingerprint: fingerprint }).listNodes(),
      client({ baseUrl, tlsFingerprint: `${'AB:'.repeat(31)}AB` }).listNodes(),
      client({ baseUrl }).listNodes(),
      client({ baseUrl, tlsInsecure: true }).listNodes(),
    ]);
    expect(pinned.status).toBe('fulfilled');
    expect(insecure.status).toBe('fulfilled');
    expect(wrongPin).toMatchObject({ status: 'rejected', reason: { code: 'PVE_TLS' } });
    expect(verified).toMatchObject({ status: 'rejected', reason: { code: 'PVE_TLS' } });
    expect(seen.requests).toBe(2);
  });
});

describe('PveClient connections and timeouts against real servers', () => {
  it('gives up on a TLS handshake that never completes with PVE_TIMEOUT (connect)', async () => {
    const sockets: Socket[] = [];
    const silent = await listen(createTcpServer((socket) => sockets.push(socket)));
    try {
      const c = client({
        baseUrl: `https://127.0.0.1:${portOf(silent)}`,
        timeouts: { connectMs: 150 },
      });
      const err = await failure(c.getVersion());
      expect(err).toMatchObject({ code: 'PVE_TIMEOUT', phase: 'connect', retryable: true });
    } finally {
      for (const socket of sockets) socket.destroy();
      await close(silent);
    }
  });

  it('gives up waiting for response headers with PVE_TIMEOUT (headers)', async () => {
    const mute = await listen(createHttpServer(() => undefined));
    try {
      const c = client({
        baseUrl: `http://127.0.0.1:${portOf(mute)}`,
        timeouts: { headersMs: 150 },
      });
      const err = await failure(c.listClusterResources());
      expect(err).toMatchObject({
        code: 'PVE_TIMEOUT',
        phase: 'headers',
        path: '/cluster/resources',
      });
    } finally {
      await close(mute);
    }
  });

  it('gives up on a stalled body with PVE_TIMEOUT (body)', async () => {
    const stalling = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"data":[');
      }),
    );
    try {
      const c = client({
        baseUrl: `http://127.0.0.1:${portOf(stalling)}`,
        timeouts: { bodyMs: 150 },
      });
      const err = await failure(c.listNodes());
      expect(err).toMatchObject({ code: 'PVE_TIMEOUT', phase: 'body' });
    } finally {
      await close(stalling);
    }
  });

  it('reports a refused connection as PVE_NETWORK', async () => {
    const gone = await listen(createTcpServer());
    const port = portOf(gone);
    await close(gone);
    const err = await failure(client({ baseUrl: `http://127.0.0.1:${port}` }).getVersion());
    expect(err).toMatchObject({ code: 'PVE_NETWORK', retryable: true });
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('keeps at most maxConnections sockets open and reuses them', async () => {
    const seen = { requests: 0 };
    const sockets = new Set<Socket>();
    const handler = pveHandler(seen);
    const slow = await listen(
      createHttpServer((req, res) => {
        sockets.add(req.socket);
        setTimeout(() => handler(req, res), 20);
      }),
    );
    try {
      const c = client({ baseUrl: `http://127.0.0.1:${portOf(slow)}`, maxConnections: 2 });
      await Promise.all(Array.from({ length: 8 }, () => c.listNodes()));
      expect(seen.requests).toBe(8);
      expect(sockets.size).toBe(2);
    } finally {
      await close(slow);
    }
  });
});
