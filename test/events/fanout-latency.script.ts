/**
 * Measures subscription fan-out (issue 7 §5): N graphql-ws subscribers of `vmChanged`, one guest
 * renamed in a simulated cluster per round; for every subscriber, the time from the moment the
 * server's bus published the event (right after the sync committed it) to the moment that
 * subscriber received it. The same payload broadcast by a bare `ws` server to as many clients is
 * measured beside it, as the floor. Not a test: it prints numbers and asserts nothing.
 *
 *   node --import tsx test/events/fanout-latency.script.ts [--subscribers 1000] [--rounds 20]
 *
 * The server (with an embedded PostgreSQL and the simulator) runs in this process; the clients
 * run in a child process (this script with `--role clients`), so they do not compete with the
 * server's event loop. Both read `performance.timeOrigin + performance.now()` (one machine).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket, { WebSocketServer } from 'ws';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { startSimulator } from '../../src/simulator/simulator.js';
import { CreateCluster } from '../graphql/operations.js';
import { startTestPostgres } from '../support/embedded-postgres-fixture.js';
import { VmChanged } from './operations.js';

const { values: options } = parseArgs({
  options: {
    role: { type: 'string', default: 'server' },
    subscribers: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '20' },
    url: { type: 'string' },
    bare: { type: 'string' },
  },
});
const SUBSCRIBERS = Number(options.subscribers);
const ROUNDS = Number(options.rounds);
const now = () => performance.timeOrigin + performance.now();

/** A child's report: every subscriber received the event `key` at these times. */
interface Report {
  kind: 'gql' | 'bare';
  key: string;
  times: number[];
  bytes: number;
}

/** The clients: N graphql-ws subscriptions and N bare ws clients; one report line per event. */
async function runClients(): Promise<void> {
  const arrivals = new Map<string, number[]>();
  const report = (kind: Report['kind'], key: string, bytes: number) => {
    const at = now();
    const id = `${kind}:${key}`;
    const times = arrivals.get(id) ?? [];
    times.push(at);
    arrivals.set(id, times);
    if (times.length === SUBSCRIBERS) {
      arrivals.delete(id);
      process.stdout.write(`${JSON.stringify({ kind, key, times, bytes } satisfies Report)}\n`);
    }
  };
  const query = print(VmChanged);
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const client = createClient({ url: options.url!, webSocketImpl: WebSocket, retryAttempts: 0 });
    let bytes = 0;
    client.on('message', (message) => {
      bytes = JSON.stringify(message).length;
    });
    client.subscribe<{ vmChanged: { sequence: string } }>(
      { query, variables: {} },
      {
        next: (result) => report('gql', result.data!.vmChanged.sequence, bytes),
        error: (err) => process.stderr.write(`subscription error: ${JSON.stringify(err)}\n`),
        complete: () => {},
      },
    );
    const bare = new WebSocket(options.bare!);
    bare.on('message', (data) => {
      const text = String(data);
      report('bare', (JSON.parse(text) as { key: string }).key, text.length);
    });
    if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  await new Promise(() => {});
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const f = (v: number) => `${v.toFixed(1)} ms`.padStart(10);
  return `${f(percentile(sorted, 50))}${f(percentile(sorted, 99))}${f(sorted.at(-1) ?? Number.NaN)}`;
}

async function runServer(): Promise<void> {
  const postgres = await startTestPostgres({ logger: silentLogger });
  const dataDir = mkdtempSync(join(tmpdir(), 'pvesphere-fanout-'));
  const sim = await startSimulator({ logger: silentLogger, nodes: 3, guests: 30, seed: 5 });
  const app = createApp(
    loadConfig({
      PORT: '0',
      DATABASE_URL: postgres.connectionString,
      PVESPHERE_DATA_DIR: dataDir,
      PVESPHERE_POLL_INTERVAL: '100ms',
      PVESPHERE_IP_REFRESH_INTERVAL: '1h',
      LOG_LEVEL: 'warn',
    }),
    silentLogger,
  );
  const { url, services } = await app.start();
  const bare = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => bare.once('listening', resolve));
  const bareUrl = `ws://127.0.0.1:${(bare.address() as { port: number }).port}`;
  try {
    const created = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: print(CreateCluster),
        variables: {
          input: {
            name: 'fanout',
            apiUrl: sim.url,
            tokenId: sim.tokenId,
            tokenSecret: sim.secret,
            tlsFingerprint: sim.fingerprint,
          },
        },
      }),
    });
    if (!created.ok) throw new Error(`createCluster failed: ${await created.text()}`);
    const published = new Map<string, number>();
    services.bus.subscribe((events) => {
      const at = now();
      for (const event of events) published.set(event.sequence, at);
    });
    // Let the first sync (and the guests' first address reads) finish.
    for (let last = -1; published.size !== last; ) {
      last = published.size;
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL(import.meta.url).pathname,
        '--role',
        'clients',
        '--subscribers',
        String(SUBSCRIBERS),
        '--url',
        url,
        '--bare',
        bareUrl,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const reports: Report[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as Report | { ready: true };
      if ('kind' in message) reports.push(message);
    });
    const until = async (check: () => boolean, what: string, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    };
    await until(() => services.bus.listenerCount === SUBSCRIBERS + 1, 'the subscriptions');
    await until(() => bare.clients.size === SUBSCRIBERS, 'the bare clients');

    const guests = sim.control.guests().filter((g) => !g.template);
    const gqlLatency: number[] = [];
    const gqlLast: number[] = [];
    let payloadBytes = 0;
    for (let round = 0; round <= ROUNDS; round++) {
      const seen = reports.length;
      sim.control.updateGuest(guests[round % guests.length]!.vmid, { name: `fanout-${round}` });
      await until(() => reports.length > seen, 'every subscriber');
      const report = reports.at(-1)!;
      const t0 = published.get(report.key)!;
      payloadBytes = report.bytes;
      if (round === 0) continue; // warm-up
      gqlLatency.push(...report.times.map((t) => t - t0));
      gqlLast.push(Math.max(...report.times) - t0);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const bareLatency: number[] = [];
    const bareLast: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const seen = reports.length;
      const message = JSON.stringify({ key: `b${round}`, pad: 'x'.repeat(payloadBytes) });
      const t0 = now();
      for (const client of bare.clients) client.send(message);
      await until(() => reports.length > seen, 'every subscriber');
      if (round === 0) continue;
      const report = reports.at(-1)!;
      bareLatency.push(...report.times.map((t) => t - t0));
      bareLast.push(Math.max(...report.times) - t0);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    child.kill();

    console.log(
      `fan-out: ${SUBSCRIBERS} graphql-ws subscribers of vmChanged, ${ROUNDS} changes, ~${payloadBytes} bytes per message; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}`,
    );
    console.log(`${''.padEnd(52)}${'p50'.padStart(10)}${'p99'.padStart(10)}${'max'.padStart(10)}`);
    console.log(
      `${'vmChanged: bus publish → received (every subscriber)'.padEnd(52)}${summary(gqlLatency)}`,
    );
    console.log(`${'vmChanged: bus publish → the last subscriber'.padEnd(52)}${summary(gqlLast)}`);
    console.log(`${'bare ws broadcast: send → received'.padEnd(52)}${summary(bareLatency)}`);
    console.log(`${'bare ws broadcast: send → the last client'.padEnd(52)}${summary(bareLast)}`);
  } finally {
    bare.close();
    await app.stop();
    await sim.stop();
    await postgres.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (options.role === 'clients') await runClients();
else await runServer();
