import { PassThrough } from 'node:stream';
import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { runSimulatorCli } from '../../src/simulator/cli.js';

function capture() {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stdout, text: () => text };
}

/** servedFingerprint connects with TLS and returns the SHA-256 fingerprint of the peer certificate. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('runSimulatorCli', () => {
  it('prints the connection details and a createCluster mutation, serves, and stops on abort', async () => {
    const out = capture();
    const abort = new AbortController();
    const running = runSimulatorCli(
      ['--nodes', '2', '--guests', '5', '--port', '0', '--seed', '8', '--auth-delay', '0'],
      {
        stdout: out.stdout,
        signal: abort.signal,
        logger: silentLogger,
      },
    );
    await waitFor(() => out.text().includes('createCluster'));
    const text = out.text();
    const url = /apiUrl\s+(https:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
    const tokenId = /tokenId\s+(\S+)/.exec(text)?.[1];
    const secret = /secret\s+(\S+)/.exec(text)?.[1];
    expect(url).toBeDefined();
    expect(tokenId).toBe('pvesphere@pve!sync');
    expect(text).toMatch(/fingerprint\s+([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(text).toContain(`tokenSecret: "${secret}"`);
    expect(text).toMatch(/tlsFingerprint: "([0-9A-F]{2}:){31}[0-9A-F]{2}"/);
    expect(text).toContain('isEnabled: true');
    expect(text).toContain('name: "sim-8"');
    expect(text).toMatch(/Authorization: Bearer \S+/);

    const printed = /fingerprint\s+(\S+)/.exec(text)?.[1];
    expect(await servedFingerprint(Number(new URL(url ?? '').port))).toBe(printed);

    abort.abort();
    await running;
    await expect(fetch(`${url}/api2/json/version`)).rejects.toThrow();
  });

  it('serves plain HTTP with --http and omits the fingerprint', async () => {
    const out = capture();
    const abort = new AbortController();
    const running = runSimulatorCli(['--http', '--port', '0', '--guests', '3'], {
      stdout: out.stdout,
      signal: abort.signal,
      logger: silentLogger,
    });
    await waitFor(() => out.text().includes('createCluster'));
    const url = /apiUrl\s+(http:\/\/\S+)/.exec(out.text())?.[1];
    const secret = /secret\s+(\S+)/.exec(out.text())?.[1];
    const answer = await fetch(`${url}/api2/json/cluster/resources?type=vm`, {
      headers: { authorization: `PVEAPIToken=pvesphere@pve!sync=${secret}` },
    });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { data: unknown[] }).data.length).toBe(3);
    expect(out.text()).not.toContain('tlsFingerprint');
    abort.abort();
    await running;
  });

  it('prints the usage and sets exit code 2 for a bad option', async () => {
    const out = capture();
    const previous = process.exitCode;
    await runSimulatorCli(['--nodes', 'many'], { stdout: out.stdout, logger: silentLogger });
    expect(out.text()).toContain('--nodes must be an integer');
    expect(out.text()).toContain('usage: npm run simulator');
    expect(process.exitCode).toBe(2);
    process.exitCode = previous;
  });
});
