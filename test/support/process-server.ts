/**
 * pvesphere as a real child process, the way an operator runs it: `node --import tsx src/main.ts`
 * or, as `npm start` does, the build `node dist/src/main.js` (not npx, so signals reach the server
 * itself), with a clean environment, its output parsed as
 * JSON log lines and captured for the whole-run secret check.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { embeddedPostgresLayout } from '../../src/db/embedded-postgres-layout.js';
import { adminConnection } from '../../src/db/embedded-postgres-server.js';
import { captureOutput, registerSecret } from './capture.js';

/** PROJECT_ROOT is the checkout the tests run from. */
export const PROJECT_ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/** LogLine is one JSON line pvesphere logged (pino). */
export interface LogLine {
  level: string | number;
  msg: string;
  [key: string]: unknown;
}

/** ProcessExit is how a child process ended and how long after the last signal it did. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from the last signal() to the exit (undefined when never signalled). */
  afterSignalMs: number | undefined;
}

/**
 * pvesphereEnv is the environment a user would start pvesphere with: this process's environment
 * without any pvesphere setting, without the test runner's variables, plus `env`.
 */
export function pvesphereEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(PVESPHERE_|VITEST|TINYPOOL)/.test(name)) continue;
    if (['PORT', 'HOST', 'DATABASE_URL', 'LOG_LEVEL', 'NODE_ENV', 'NODE_OPTIONS'].includes(name))
      continue;
    clean[name] = value;
  }
  return { ...clean, ...env };
}

/**
 * makeDataDir creates an empty temporary directory the `postgres` OS user can traverse (mkdtemp
 * makes 0700; PostgreSQL runs as `postgres` when the tests run as root).
 */
export async function makeDataDir(prefix = 'pvesphere-process-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

/** PvesphereProcess is a running pvesphere child (sources or build). */
export interface PvesphereProcess {
  child: ChildProcess;
  pid: number;
  /** Everything written to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Every JSON log line on stdout so far. */
  logs(): LogLine[];
  /** waitForLog resolves with the first log line (past or future) that matches. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** signal sends a signal and starts the clock of {@link ProcessExit.afterSignalMs}. */
  signal(signal: NodeJS.Signals): void;
  /** signalled tells whether {@link signal} was called. */
  signalled(): boolean;
  /** exited resolves once the process has exited. */
  exited: Promise<ProcessExit>;
}

/** SpawnOptions configure {@link spawnPvesphere}. */
export interface SpawnOptions {
  /** Command-line arguments after `src/main.ts`. @default ['serve'] */
  args?: string[];
  /** Variables added to {@link pvesphereEnv}. */
  env?: Record<string, string>;
  /** Checkout to run from. @default PROJECT_ROOT */
  cwd?: string;
  /** Name of the capture file for its output. @default 'pvesphere' */
  name?: string;
  /**
   * Run the build, `dist/src/main.js` (what `npm start` runs; {@link buildPvesphere} first),
   * instead of the sources through tsx. @default false
   */
  built?: boolean;
}

let build: Promise<void> | undefined;

/** buildPvesphere runs `npm run build` (once per test process): `dist/`, as `npm start` does. */
export function buildPvesphere(): Promise<void> {
  build ??= promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: PROJECT_ROOT }).then(
    () => undefined,
  );
  return build;
}

/** spawnPvesphere starts `node --import tsx src/main.ts …` (or the build), following its output. */
export function spawnPvesphere(options: SpawnOptions = {}): PvesphereProcess {
  const cwd = options.cwd ?? PROJECT_ROOT;
  const entry = options.built ? ['dist/src/main.js'] : ['--import', 'tsx', 'src/main.ts'];
  const child = spawn(process.execPath, [...entry, ...(options.args ?? ['serve'])], {
    cwd,
    env: pvesphereEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const captureName = `${options.name ?? 'pvesphere'}-${child.pid}`;
  let stdout = '';
  let stderr = '';
  let pending = '';
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    captureOutput(captureName, text);
    stdout += text;
    pending += text;
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        // Not a log line (a plain message): kept in stdout() only.
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    captureOutput(captureName, text);
    stderr += text;
  });
  let signalledAt: number | undefined;
  const exited = new Promise<ProcessExit>((resolvePromise) => {
    child.once('exit', (code, signal) => {
      const afterSignalMs = signalledAt === undefined ? undefined : Date.now() - signalledAt;
      for (const wake of waiters) wake();
      resolvePromise({ code, signal, afterSignalMs });
    });
  });
  return {
    child,
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    logs: () => lines,
    exited,
    signal(signal) {
      signalledAt = Date.now();
      child.kill(signal);
    },
    signalled: () => signalledAt !== undefined,
    waitForLog(match, timeoutMs = 60_000) {
      return new Promise((resolvePromise, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (found) {
            done();
            resolvePromise(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(
              new Error(
                `pvesphere exited (${child.exitCode ?? child.signalCode}) before the awaited log line; stderr: ${stderr.trim() || '(empty)'}; last log: ${lines.at(-1)?.msg ?? '(none)'}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`the awaited log line did not come within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** RunningServer is a pvesphere child that is serving GraphQL. */
export interface RunningServer extends PvesphereProcess {
  /** http://127.0.0.1:<port>/graphql, as logged. */
  url: string;
  /** http://127.0.0.1:<port>. */
  origin: string;
  port: number;
  /** The embedded PostgreSQL's `embedded postgres started` line (undefined with DATABASE_URL). */
  embedded: LogLine | undefined;
  /**
   * stop sends `signal`, unless a signal was sent already (a second one would make the server
   * exit at once), and waits for the exit.
   */
  stop(signal?: NodeJS.Signals): Promise<ProcessExit>;
}

/**
 * startServer spawns `serve` with `PORT=0` and resolves once it logged `pvesphere is serving
 * GraphQL`, with the URL from that line.
 */
export async function startServer(options: SpawnOptions = {}): Promise<RunningServer> {
  const proc = spawnPvesphere({ ...options, env: { PORT: '0', ...options.env } });
  try {
    const serving = await proc.waitForLog((line) => line.msg === 'pvesphere is serving GraphQL');
    const port = Number(serving.port);
    const embedded = proc.logs().find((line) => line.msg === 'embedded postgres started');
    return {
      ...proc,
      url: String(serving.url),
      origin: `http://127.0.0.1:${port}`,
      port,
      embedded,
      async stop(signal = 'SIGTERM') {
        const running = proc.child.exitCode === null && proc.child.signalCode === null;
        if (running && !proc.signalled()) proc.signal(signal);
        return proc.exited;
      },
    };
  } catch (err) {
    proc.child.kill('SIGKILL');
    throw err;
  }
}

/** CommandResult is what a pvesphere command that ran to its end printed. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** runPvesphere runs a command that ends by itself (a config error, `migrate`) to completion. */
export async function runPvesphere(options: SpawnOptions): Promise<CommandResult> {
  const proc = spawnPvesphere(options);
  const exit = await proc.exited;
  return { code: exit.code, stdout: proc.stdout(), stderr: proc.stderr() };
}

/**
 * processesMentioning lists the pids of live processes whose command line contains `text` (a
 * data directory: the postmaster runs as `postgres -D <dataDir>/postgres/data …`).
 */
export async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    let status: string;
    try {
      cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      status = await readFile(`/proc/${entry}/status`, 'utf8');
    } catch {
      continue; // Exited meanwhile.
    }
    if (/^State:\s+Z/m.test(status)) continue;
    if (cmdline.includes(text)) pids.push(Number(entry));
  }
  return pids;
}

/**
 * embeddedDatabaseConfig is how a test connects to the `pvesphere` database of the embedded
 * PostgreSQL a server child started in `dataDir` (its password file, registered as a secret).
 */
export async function embeddedDatabaseConfig(dataDir: string, port: number) {
  const password = registerSecret(
    (await readFile(embeddedPostgresLayout(dataDir).passwordFile, 'utf8')).trim(),
  );
  return { ...adminConnection(port, password), database: 'pvesphere' };
}
