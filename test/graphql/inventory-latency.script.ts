/**
 * Measures `vms(first: 100, filter: …)` over a seeded inventory at a given concurrency, the way
 * a dashboard fleet would hit it: a real server process (`src/main.ts serve`, no sync) on an
 * embedded PostgreSQL, queried over HTTP. Not a test: it prints numbers and asserts nothing.
 *
 *   node --import tsx test/graphql/inventory-latency.script.ts \
 *     [--clusters 10] [--guests 1000] [--concurrency 50] [--seconds 10] [--query list|dashboard]
 *
 * It also measures the SQL alone (the page statement with count and addresses, through
 * InventoryQueries, same concurrency) to show which share of the latency the database takes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { print } from 'graphql';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.js';
import { InventoryQueries } from '../../src/db/inventory-queries.js';
import type { VmListFilter } from '../../src/db/queries/inventory-filters.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { VmFilter } from '../generated/graphql.js';
import { startTestPostgres } from '../support/embedded-postgres-fixture.js';
import { seedInventory } from '../support/inventory-fixture.js';
import { Dashboard, VmList } from './inventory-operations.js';

const { values: options } = parseArgs({
  options: {
    clusters: { type: 'string', default: '10' },
    guests: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    query: { type: 'string', default: 'list' },
  },
});
const CLUSTERS = Number(options.clusters);
const GUESTS = Number(options.guests);
const CONCURRENCY = Number(options.concurrency);
const SECONDS = Number(options.seconds);
/** `list`: the fields a guest list shows; `dashboard`: every field plus node and cluster. */
const QUERY = options.query === 'dashboard' ? Dashboard : VmList;

/** The filters the load cycles through: the shapes a dashboard sends. */
function filterFor(i: number, clusterIds: number[]): VmListFilter {
  const clusterId = clusterIds[i % clusterIds.length]!;
  const shapes: VmListFilter[] = [
    { clusterId, status: 'running', tag: 'prod' },
    { clusterId, status: 'running' },
    { clusterId, nameContains: 'db-0' },
    { status: 'stopped', tag: 'db' },
  ];
  return shapes[i % shapes.length]!;
}

function toGraphQL(filter: VmListFilter): VmFilter {
  return {
    clusterId: filter.clusterId === undefined ? null : String(filter.clusterId),
    status: filter.status ?? null,
    tag: filter.tag ?? null,
    nameContains: filter.nameContains ?? null,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Runs `once` from `CONCURRENCY` loops for `SECONDS` (after a 2 s warm-up); latencies in ms. */
async function load(once: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let counter = 0;
  const warmUntil = performance.now() + 2000;
  const stopAt = warmUntil + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < stopAt) {
        const started = performance.now();
        await once(counter++);
        if (started >= warmUntil) latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    perSecond: Math.round(latencies.length / SECONDS),
    p50: percentile(latencies, 50).toFixed(1),
    p90: percentile(latencies, 90).toFixed(1),
    p99: percentile(latencies, 99).toFixed(1),
    max: (latencies.at(-1) ?? Number.NaN).toFixed(1),
  };
}

/** CPU time (user + system, ms) of processes, from /proc (Linux; 0 elsewhere). */
function cpuMs(pids: number[]): number {
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process is gone (a PostgreSQL backend that ended)
    }
  }
  return ticks / ticksPerMs;
}

/** The postmaster and its children (backends, workers). */
function postgresPids(postmaster: number): number[] {
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const fields = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return Number(fields[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitReady(origin: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`${origin}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('server did not become ready');
}

async function main() {
  const postgres = await startTestPostgres({ logger: silentLogger });
  const dataDir = mkdtempSync(join(tmpdir(), 'pvesphere-latency-'));
  let server: ChildProcess | undefined;
  const pool = new pg.Pool({ connectionString: postgres.connectionString, max: 4 });
  try {
    const db = await openDatabase({ clientUrl: postgres.connectionString, logger: silentLogger });
    await db.migrate();
    const seedStarted = performance.now();
    const { clusterIds } = await seedInventory(
      {
        query: async <T>(sql: string, params?: unknown[]) =>
          (await pool.query(sql, params)).rows as T[],
      },
      { clusters: CLUSTERS, nodes: 20, guests: GUESTS },
    );
    console.log(
      `seeded ${CLUSTERS} clusters × ${GUESTS} guests in ${Math.round(performance.now() - seedStarted)} ms; ` +
        `${cpus().length} CPUs (${cpus()[0]?.model}), Node ${process.version}, PostgreSQL ${postgres.version}`,
    );

    // The SQL alone: the one statement the resolvers run (page, count and addresses).
    const inventory = new InventoryQueries({ db });
    const sqlOnly = await load(async (i) => {
      await inventory.vms.page(filterFor(i, clusterIds), {
        first: 100,
        count: true,
        details: ['ipAddresses'],
      });
    });
    await db.close();

    const port = await freePort();
    server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: postgres.connectionString,
        PVESPHERE_DATA_DIR: dataDir,
        PVESPHERE_SYNC: 'false',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const origin = `http://127.0.0.1:${port}`;
    await waitReady(origin, server);
    const query = print(QUERY);
    const pgPids = postgresPids(postgres.pid);
    const cpuBefore = {
      server: cpuMs([server.pid!]),
      postgres: cpuMs(pgPids),
      client: process.cpuUsage(),
    };
    const http = await load(async (i) => {
      const response = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query,
          variables: { first: 100, filter: toGraphQL(filterFor(i, clusterIds)) },
        }),
      });
      const body = (await response.json()) as { errors?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
    });
    const total = http.requests * (1 + 2 / SECONDS); // the warm-up ran requests too
    const client = process.cpuUsage(cpuBefore.client);
    console.table({ 'SQL only (one page statement)': sqlOnly, 'GraphQL over HTTP': http });
    console.log(
      `CPU per HTTP request (approx., warm-up included): server ${((cpuMs([server.pid!]) - cpuBefore.server) / total).toFixed(2)} ms, ` +
        `PostgreSQL ${((cpuMs(postgresPids(postgres.pid)) - cpuBefore.postgres) / total).toFixed(2)} ms, ` +
        `load generator ${((client.user + client.system) / 1000 / total).toFixed(2)} ms; load average ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
  } finally {
    server?.kill('SIGTERM');
    await pool.end();
    await postgres.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
