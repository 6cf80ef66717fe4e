/**
 * Embedded PostgreSQL for tests, in two forms.
 *
 * In-process: {@link createTestDataDir} and {@link startTestPostgres} (an ephemeral server in a
 * fresh temporary directory).
 *
 * As a separate process (to test what happens when a process dies, runs as another user, or runs
 * from another checkout), this file is also a script:
 *
 *   node --import tsx test/support/embedded-postgres-fixture.ts --data-dir DIR
 *        [--port N] [--ephemeral] [--os-user NAME] [--native-dir DIR] [--exit]
 *
 * It starts the server and prints one JSON line on stdout: `{"event":"started","pid":<node pid>,
 * "postgresPid":…,"port":…,"version":…,"connectionString":…}`, or `{"event":"failed","code":…,
 * "message":…}` and exits 1. It stops the server and exits 0 on SIGTERM, SIGINT or when its stdin
 * closes (so it never outlives the test that spawned it through a pipe), printing
 * `{"event":"stopped"}`. With `--exit` it calls process.exit() right after printing `started`,
 * without stop() (what a crash does). Logs go to stderr as JSON. {@link spawnEmbeddedPostgresFixture} runs it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { pino } from 'pino';
import {
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
  startEmbeddedPostgres,
} from '../../src/db/embedded-postgres.js';
import { coerceError } from '../../src/lib/coerce-error.js';

/** FIXTURE_SCRIPT is the absolute path of this script. */
export const FIXTURE_SCRIPT = fileURLToPath(import.meta.url);

/**
 * createTestDataDir makes a fresh directory under the system temporary directory, mode 0755 so
 * that the `postgres` user can reach it when tests run as root (mkdtemp creates 0700).
 */
export async function createTestDataDir(prefix = 'pvesphere-pg-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

/**
 * startTestPostgres starts an ephemeral embedded PostgreSQL in a fresh temporary directory (deleted
 * on stop()); options override the defaults.
 */
export async function startTestPostgres(
  options: Partial<EmbeddedPostgresOptions> = {},
): Promise<EmbeddedPostgres> {
  return startEmbeddedPostgres({ dataDir: await createTestDataDir(), ephemeral: true, ...options });
}

/** queryRows runs one SQL text on a fresh connection to `connectionString` and returns the rows. */
export async function queryRows<T>(connectionString: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** FixtureStarted is the line the fixture script prints once its server is up. */
export interface FixtureStarted {
  event: 'started';
  /** The fixture's own (Node) pid: the owner of the server. */
  pid: number;
  postgresPid: number;
  port: number;
  version: string;
  connectionString: string;
}

/** FixtureFailure is the error {@link spawnEmbeddedPostgresFixture} rejects with when start fails. */
export class FixtureFailure extends Error {
  constructor(
    /** The EmbeddedPostgresError code, when the fixture got that far. */
    readonly code: string | undefined,
    message: string,
    /** Everything the fixture wrote to stderr. */
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'FixtureFailure';
  }
}

/** FixtureProcess is a running fixture script. */
export interface FixtureProcess {
  child: ChildProcess;
  started: FixtureStarted;
  /** exited resolves with the exit code once the fixture has exited (null after a signal). */
  exited: Promise<number | null>;
  /** stop sends SIGTERM and resolves with the exit code once the fixture has exited. */
  stop(): Promise<number | null>;
  /** kill sends SIGKILL (the server keeps running, as after a crash) and waits for the exit. */
  kill(): Promise<void>;
  /** stderr is what the fixture has logged so far. */
  stderr(): string;
}

/** SpawnFixtureOptions configure {@link spawnEmbeddedPostgresFixture}. */
export interface SpawnFixtureOptions {
  /** Script arguments, e.g. `['--data-dir', dir]`. */
  args: string[];
  /** Run the fixture as this user/group (needs root). */
  uid?: number;
  gid?: number;
  /** Working directory, which is also where `tsx` is resolved from. @default process.cwd() */
  cwd?: string;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The script to run (a copy in another checkout). @default FIXTURE_SCRIPT */
  script?: string;
  /** How long the start may take. @default 30000 */
  timeoutMs?: number;
}

/**
 * spawnEmbeddedPostgresFixture runs the fixture script in a child Node process and resolves once
 * it reports its server started; rejects with a {@link FixtureFailure} when it reports a failure
 * or exits first.
 */
export function spawnEmbeddedPostgresFixture(
  options: SpawnFixtureOptions,
): Promise<FixtureProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', options.script ?? FIXTURE_SCRIPT, ...options.args],
    {
      cwd: options.cwd ?? process.cwd(),
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    },
  );
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new FixtureFailure(undefined, 'fixture did not start in time', stderr));
    }, options.timeoutMs ?? 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      for (;;) {
        const newline = stdout.indexOf('\n');
        if (newline < 0) return;
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        const message: { event?: string; code?: string; message?: string } = JSON.parse(line);
        if (message.event === 'started') {
          clearTimeout(timer);
          resolvePromise({
            child,
            started: message as FixtureStarted,
            exited,
            stderr: () => stderr,
            stop: async () => {
              if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
              return exited;
            },
            kill: async () => {
              if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
              await exited;
            },
          });
        } else if (message.event === 'failed') {
          clearTimeout(timer);
          reject(new FixtureFailure(message.code, message.message ?? 'failed', stderr));
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new FixtureFailure(undefined, `fixture exited with code ${code} before starting`, stderr),
      );
    });
  });
}

/** main runs the script form; see the file comment. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      ephemeral: { type: 'boolean', default: false },
      'os-user': { type: 'string' },
      'native-dir': { type: 'string' },
      exit: { type: 'boolean', default: false },
    },
  });
  if (!values['data-dir']) throw new Error('--data-dir is required');
  const logger = pino({ level: 'info' }, pino.destination(2));
  const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
  let server: EmbeddedPostgres;
  try {
    server = await startEmbeddedPostgres({
      dataDir: values['data-dir'],
      logger,
      ephemeral: values.ephemeral,
      ...(values.port ? { port: Number(values.port) } : {}),
      ...(values['os-user'] ? { osUser: values['os-user'] } : {}),
      ...(values['native-dir'] ? { nativeDir: values['native-dir'] } : {}),
    });
  } catch (err) {
    const error = coerceError(err);
    print({ event: 'failed', code: error.code, message: error.message });
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    print({ event: 'stopped' });
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.once('end', stop);
  process.stdin.resume();
  print({
    event: 'started',
    pid: process.pid,
    postgresPid: server.pid,
    port: server.port,
    version: server.version,
    connectionString: server.connectionString,
  });
  if (values.exit) process.exit(0);
}

if (process.argv[1] && resolve(process.argv[1]) === FIXTURE_SCRIPT) {
  main().catch((err: unknown) => {
    process.stderr.write(`${coerceError(err).stack}\n`);
    process.exit(1);
  });
}
