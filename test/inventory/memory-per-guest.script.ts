/**
 * Measures what a cached guest costs the process that syncs it (issue 7, measure 7), the way the
 * benchmark's restart phase does but without the server around it: real ClusterSyncs (PveClient
 * over HTTPS, informers, detail fetcher, usage, writer) against simulated clusters, on an
 * embedded PostgreSQL. Not a test: it prints numbers and asserts nothing.
 *
 *   node --import tsx test/inventory/memory-per-guest.script.ts \
 *     [--clusters 10] [--nodes 20] [--guests 1000] [--poll 1s] [--polls 3] [--snapshots DIR]
 *     [--settle 0s]
 *
 * Three processes besides PostgreSQL: the simulators (one child), a filling run (a child that
 * syncs every cluster from an empty database until the guests' details are fetched, then exits)
 * and the measured run (a child started with --expose-gc, like a restarted server): it reads its
 * memory after two full GCs with nothing synced, with the first half of the clusters synced
 * (`--polls` polls each) and with all of them. The marginal figures are (all − first) / guests
 * of the second half, as in the benchmark. Each point is read as the benchmark's agent reads it
 * (two full GCs), then again after V8's memory-reducing collection (which compacts what the
 * sync's transient objects left fragmented, shrinks the young generation and gives back the free
 * pages V8 keeps pooled): the plain RSS varies by several KiB per guest from run to run with
 * those pages, the reduced one hardly.
 * Resident memory is also broken down by kind of mapping. `--snapshots DIR` writes heap snapshots
 * of the two points (taking one inflates the RSS read after it), and `--settle 30s` reads the
 * memory after that much more syncing.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import pg from 'pg';
import { reduceMemory } from '../../bench/support/reduce-memory.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { ClusterSync, type SyncSettings } from '../../src/inventory/cluster-sync.js';
import { parseDuration } from '../../src/lib/duration.js';
import { silentLogger } from '../../src/lib/logger.js';
import { PveClient } from '../../src/proxmox/client.js';
import { generateCertificate } from '../../src/simulator/certificate.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/simulator.js';
import { startTestPostgres } from '../support/embedded-postgres-fixture.js';

const SCRIPT = fileURLToPath(import.meta.url);

const { values: options } = parseArgs({
  options: {
    role: { type: 'string', default: 'main' },
    clusters: { type: 'string', default: '10' },
    nodes: { type: 'string', default: '20' },
    guests: { type: 'string', default: '1000' },
    poll: { type: 'string', default: '1s' },
    polls: { type: 'string', default: '3' },
    snapshots: { type: 'string' },
    settle: { type: 'string', default: '0s' },
    database: { type: 'string' },
  },
});
const CLUSTERS = Number(options.clusters);
const NODES = Number(options.nodes);
const GUESTS = Number(options.guests);
const POLL_MS = parseDuration(options.poll);
if (POLL_MS === undefined) throw new Error(`--poll: not a duration: ${options.poll}`);
const POLLS = Number(options.polls);
const SETTLE_MS = parseDuration(options.settle) ?? 0;

/** SimCluster is what a sync needs to reach one simulator. */
interface SimCluster {
  url: string;
  tokenId: string;
  secret: string;
  fingerprint: string;
}

/** A cluster row of the database with its simulator. */
interface Target extends SimCluster {
  id: number;
  name: string;
}

const SETTINGS: SyncSettings = {
  pollIntervalMs: POLL_MS,
  resyncIntervalMs: 300_000,
  metricsIntervalMs: 3_600_000,
  ipRefreshIntervalMs: 600_000,
  listStrategy: 'cluster-resources',
  deleteConfirmations: 2,
  detailConcurrency: 4,
};

/** Talks to a child: one JSON message in, one out. */
function message<T>(child: ChildProcess): Promise<T> {
  return once(child, 'message').then(([m]) => m as T);
}

function spawnRole(role: string, args: string[], execArgv: string[] = []): ChildProcess {
  return fork(SCRIPT, ['--role', role, ...args], {
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Role `sims`: the simulated clusters, in a process of their own so they weigh nothing here. */
async function runSimulators(): Promise<void> {
  const certificate = await generateCertificate();
  const sims: RunningSimulator[] = [];
  for (let i = 0; i < CLUSTERS; i++) {
    sims.push(
      await startSimulator({
        nodes: NODES,
        guests: GUESTS,
        seed: i + 1,
        clusterName: `mem-${i + 1}`,
        certificate,
      }),
    );
  }
  const clusters: SimCluster[] = sims.map((s) => ({
    url: s.url,
    tokenId: s.tokenId,
    secret: s.secret,
    fingerprint: s.fingerprint!,
  }));
  process.send?.(clusters);
  await once(process, 'disconnect');
  await Promise.all(sims.map((s) => s.stop()));
}

/** Starts one cluster's sync; `onCycle` and `onDetail` count its polls and detail calls. */
function startSync(
  db: Database,
  target: Target,
  hooks: { onCycle: () => void; onDetail: (path: string) => void },
): { sync: ClusterSync; client: PveClient } {
  const client = new PveClient({
    baseUrl: target.url,
    tokenId: target.tokenId,
    secret: target.secret,
    tlsFingerprint: target.fingerprint,
    detailConcurrency: SETTINGS.detailConcurrency,
    onRequest: (event) => {
      if (event.kind === 'detail') hooks.onDetail(event.path);
    },
  });
  const sync = new ClusterSync({
    cluster: { id: target.id, name: target.name, apiUrl: target.url },
    client,
    db,
    settings: SETTINGS,
    status: async () => {},
    publish: () => {},
    logger: silentLogger,
    counters: {
      cycle: (_id, outcome) => {
        if (outcome !== 'error') hooks.onCycle();
      },
    },
  });
  sync.start();
  return { sync, client };
}

async function waitUntil(what: string, done: () => boolean, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs syncs of `targets` until each has polled `polls` times (and, optionally, details settle). */
async function syncUntil(
  db: Database,
  targets: readonly Target[],
  polls: number,
  settleDetails: boolean,
): Promise<Array<{ sync: ClusterSync; client: PveClient }>> {
  const cycles = new Map<number, number>();
  // Guests whose details were asked for; settled once no new one came for 3 s (retries of
  // guests whose agent does not answer never stop, and do not count).
  const fetched = new Set<string>();
  let lastNew = Date.now();
  const running = targets.map((t) =>
    startSync(db, t, {
      onCycle: () => cycles.set(t.id, (cycles.get(t.id) ?? 0) + 1),
      onDetail: (path) => {
        const guest = `${t.id}${/\/(?:qemu|lxc)\/\d+\//.exec(path)?.[0]}`;
        if (fetched.has(guest)) return;
        fetched.add(guest);
        lastNew = Date.now();
      },
    }),
  );
  await waitUntil(`${polls} polls`, () => targets.every((t) => (cycles.get(t.id) ?? 0) >= polls));
  if (settleDetails) await waitUntil('details', () => Date.now() - lastNew > 3000);
  return running;
}

/** Role `fill`: syncs every cluster from an empty database until the details are known. */
async function runFill(url: string, targets: Target[]): Promise<void> {
  const db = await openDatabase({ clientUrl: url, logger: silentLogger });
  const running = await syncUntil(db, targets, 2, true);
  await syncUntilWritten(running);
  await db.close();
}

/** Stops the syncs (each writes what it still holds). */
async function syncUntilWritten(
  running: Array<{ sync: ClusterSync; client: PveClient }>,
): Promise<void> {
  for (const { sync, client } of running) {
    await sync.stop();
    await client.close();
  }
}

interface Memory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  spaces: Record<string, { used: number; committed: number }>;
  /** Resident bytes by kind of mapping (/proc/self/smaps). */
  mappings: Record<string, number>;
  /**
   * RSS and heapTotal after V8's memory-reducing collection (fragmented pages compacted, the
   * young generation shrunk, pooled pages given back), run through the inspector protocol:
   * Node 20's gc() ignores `flavor: 'last-resort'`.
   */
  reduced: { rss: number; heapTotal: number };
}

/**
 * memory reads the process's memory after two full GCs, then after a memory-reducing one, as the
 * benchmark's agent does.
 */
async function memory(): Promise<Memory> {
  const gc = (globalThis as { gc?: (options?: object) => void }).gc;
  if (!gc) throw new Error('the measured run needs --expose-gc');
  gc();
  gc();
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  const spaces: Memory['spaces'] = {};
  for (const s of getHeapSpaceStatistics()) {
    spaces[s.space_name] = { used: s.space_used_size, committed: s.physical_space_size };
  }
  const mappings = residentMappings();
  await reduceMemory();
  const after = process.memoryUsage();
  const reduced = { rss: after.rss, heapTotal: after.heapTotal };
  return { rss, heapTotal, heapUsed, external, arrayBuffers, spaces, mappings, reduced };
}

/**
 * residentMappings sums the resident bytes of the process's mappings by kind: files (code,
 * libraries), malloc's `[heap]`, anonymous mappings of 256 KiB to 1 MiB (V8's heap pages), and
 * other anonymous mappings.
 */
function residentMappings(): Record<string, number> {
  const out: Record<string, number> = {};
  let kind = '';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const kib = (Number.parseInt(head[2]!, 16) - Number.parseInt(head[1]!, 16)) / 1024;
      const path = head[3] ?? '';
      if (path.startsWith('/')) kind = 'files';
      else if (path === '[heap]') kind = 'malloc [heap]';
      else if (path !== '') kind = path;
      else kind = kib >= 256 && kib <= 1024 ? 'anon 256K–1M (V8 pages)' : 'anon other';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[kind] = (out[kind] ?? 0) + Number(rss[1]) * 1024;
  }
  return out;
}

/** settled reads the memory after `--settle` more time of syncing (0: at once, as the benchmark). */
async function settled(): Promise<Memory> {
  if (SETTLE_MS > 0) await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return memory();
}

/** Role `measure`: a fresh process syncing from the filled database, half, then all. */
async function runMeasure(url: string, targets: Target[]): Promise<void> {
  const db = await openDatabase({ clientUrl: url, logger: silentLogger });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const baseline = await memory();
  const half = Math.floor(targets.length / 2);
  const first = targets.slice(0, half);
  const second = targets.slice(half);
  const running = await syncUntil(db, first, POLLS, false);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const atFirst = await settled();
  if (options.snapshots) writeHeapSnapshot(`${options.snapshots}/mem-first.heapsnapshot`);
  running.push(...(await syncUntil(db, second, POLLS, false)));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const atAll = await settled();
  if (options.snapshots) writeHeapSnapshot(`${options.snapshots}/mem-all.heapsnapshot`);
  process.send?.({
    baseline,
    atFirst,
    atAll,
    firstGuests: half * GUESTS,
    secondGuests: second.length * GUESTS,
  });
  await syncUntilWritten(running);
  await db.close();
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(2)} KiB`;
}

async function main(): Promise<void> {
  if (options.snapshots) mkdirSync(options.snapshots, { recursive: true });
  const postgres = await startTestPostgres();
  const url = postgres.connectionString;
  const sims = spawnRole('sims', process.argv.slice(2));
  // An interrupted run leaves no PostgreSQL behind (the children die with their IPC channel).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void postgres.stop().finally(() => process.exit(130)));
  }
  try {
    const clusters = await message<SimCluster[]>(sims);
    const admin = await openDatabase({ clientUrl: url, logger: silentLogger });
    await admin.migrate();
    await admin.close();
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const targets: Target[] = [];
    for (const [i, c] of clusters.entries()) {
      const name = `mem-${i + 1}`;
      const { rows } = await pool.query<{ id: number }>(
        `insert into pve_cluster (cluster_name, api_url, user_id, user_token) values ($1, $2, $3, 'x') returning id`,
        [name, c.url, c.tokenId],
      );
      targets.push({ ...c, id: rows[0]!.id, name });
    }
    await pool.end();
    const args = [...process.argv.slice(2), '--database', url];
    const started = Date.now();
    const fill = spawnRole('fill', args);
    fill.send(targets);
    await once(fill, 'exit');
    console.log(
      `filled ${CLUSTERS * GUESTS} guests in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    const measure = spawnRole('measure', args, ['--expose-gc']);
    measure.send(targets);
    const result = await message<{
      baseline: Memory;
      atFirst: Memory;
      atAll: Memory;
      firstGuests: number;
      secondGuests: number;
    }>(measure);
    await once(measure, 'exit');
    const { baseline, atFirst, atAll, firstGuests, secondGuests } = result;
    const keys = ['rss', 'heapTotal', 'heapUsed', 'external'] as const;
    console.log(
      `clusters ${CLUSTERS} × ${GUESTS} guests, ${NODES} nodes each; ${POLLS} polls every ${options.poll}`,
    );
    for (const key of keys) {
      console.log(
        `${key.padEnd(10)} baseline ${(baseline[key] / 2 ** 20).toFixed(1)} MiB, first ${(atFirst[key] / 2 ** 20).toFixed(1)} MiB, all ${(atAll[key] / 2 ** 20).toFixed(1)} MiB;` +
          ` marginal ${kib((atAll[key] - atFirst[key]) / secondGuests)}/guest, first half incl. fixed ${kib((atFirst[key] - baseline[key]) / firstGuests)}/guest`,
      );
    }
    const native = (m: Memory) => m.rss - m.heapTotal - m.external;
    console.log(
      `native    (rss − heapTotal − external: malloc, stacks, code) baseline ${(native(baseline) / 2 ** 20).toFixed(1)} MiB, first ${(native(atFirst) / 2 ** 20).toFixed(1)} MiB, all ${(native(atAll) / 2 ** 20).toFixed(1)} MiB; marginal ${kib((native(atAll) - native(atFirst)) / secondGuests)}/guest`,
    );
    console.log(
      `rss after a memory-reducing GC: first ${(atFirst.reduced.rss / 2 ** 20).toFixed(1)} MiB, all ${(atAll.reduced.rss / 2 ** 20).toFixed(1)} MiB; marginal ${kib((atAll.reduced.rss - atFirst.reduced.rss) / secondGuests)}/guest (heapTotal ${kib((atAll.reduced.heapTotal - atFirst.reduced.heapTotal) / secondGuests)}/guest)`,
    );
    for (const kind of Object.keys(atAll.mappings)) {
      const a = atFirst.mappings[kind] ?? 0;
      const b = atAll.mappings[kind]!;
      if (Math.max(a, b) < 2 ** 20) continue;
      console.log(
        `  resident ${kind.padEnd(24)} first ${(a / 2 ** 20).toFixed(1)} MiB, all ${(b / 2 ** 20).toFixed(1)} MiB; marginal ${kib((b - a) / secondGuests)}/guest`,
      );
    }
    for (const space of Object.keys(atAll.spaces)) {
      const a = atFirst.spaces[space]!;
      const b = atAll.spaces[space]!;
      console.log(
        `  ${space.padEnd(24)} used ${kib((b.used - a.used) / secondGuests)}/guest, committed ${kib((b.committed - a.committed) / secondGuests)}/guest (all: used ${(b.used / 2 ** 20).toFixed(1)} MiB, committed ${(b.committed / 2 ** 20).toFixed(1)} MiB)`,
      );
    }
  } finally {
    sims.disconnect();
    await once(sims, 'exit');
    await postgres.stop();
  }
}

async function child(run: (url: string, targets: Target[]) => Promise<void>): Promise<void> {
  const [targets] = (await once(process, 'message')) as [Target[]];
  await run(options.database!, targets);
  process.disconnect?.();
}

switch (options.role) {
  case 'sims':
    await runSimulators();
    break;
  case 'fill':
    await child(runFill);
    break;
  case 'measure':
    await child(runMeasure);
    break;
  default:
    await main();
}
