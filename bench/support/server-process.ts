import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** PROJECT_ROOT is the checkout the benchmark runs from. */
export const PROJECT_ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/** LogLine is one JSON log line of the server (pino). */
export interface LogLine {
  level: number | string;
  msg: string;
  [key: string]: unknown;
}

/**
 * ServerMemory is `process.memoryUsage()` of the server once its garbage is collected and, unless
 * the reading skipped it, V8 has reduced its memory (server-agent.ts).
 */
export interface ServerMemory {
  rss: number;
  /** RSS after ordinary full collections, before the memory-reducing one. */
  ordinaryRss: number;
  /** How long the memory-reducing collections paused the server, in ms (added up; 0 if skipped). */
  reducingMs: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** V8's heap spaces (new_space, old_space, …): committed and used bytes. */
  spaces: Record<string, { size: number; used: number }>;
}

/** ServerProcessOptions configure {@link startServerProcess}. */
export interface ServerProcessOptions {
  /** Environment of the server (added to a clean copy of this process's environment). */
  env: Record<string, string>;
  /** Extra Node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** How long the server may take to log `pvesphere is serving GraphQL`. @default 60000 */
  startTimeoutMs?: number;
}

/** ServerProcess is a running `src/main.ts serve` child. */
export interface ServerProcess {
  pid: number;
  /** http://127.0.0.1:<port>/graphql as logged. */
  url: string;
  /** http://127.0.0.1:<port>. */
  origin: string;
  /** The last log lines (a bounded window). */
  logs(): readonly LogLine[];
  /** logCount is how many log lines the server has written so far. */
  logCount(): number;
  /**
   * waitForLog resolves with the first matching log line from line number `from` on (a past
   * line still kept, or a future one). @default from 0
   */
  waitForLog(
    match: (line: LogLine) => boolean,
    options?: { timeoutMs?: number; from?: number },
  ): Promise<LogLine>;
  /**
   * memory collects garbage in the server until its RSS stops falling and returns the memory the
   * live objects retain (server-agent.ts); with `reduce` (default) after V8's memory-reducing
   * collection, which leaves the young generation shrunk for whatever the server does next.
   */
  memory(options?: { reduce?: boolean }): Promise<ServerMemory>;
  /** startProfile starts a CPU profile of the server (sampling every 0.5 ms). */
  startProfile(): Promise<void>;
  /** stopProfile ends the CPU profile and writes it to `file` (`.cpuprofile`). */
  stopProfile(file: string): Promise<string>;
  /** heapSnapshot writes a heap snapshot of the server to `file` (`.heapsnapshot`). */
  heapSnapshot(file: string): Promise<string>;
  /** signal sends a signal to the server. */
  signal(signal: NodeJS.Signals): void;
  /** stop ends the server gracefully (SIGTERM; SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

const KEPT_LOG_LINES = 5000;
/**
 * AGENT_DIR is where the benchmark's agent is built to (server-build.ts), beside the server's
 * build in `dist/` (not committed).
 */
export const AGENT_DIR = join(PROJECT_ROOT, 'dist', 'bench-agent');
const AGENT = join(AGENT_DIR, 'server-agent.js');

/** cleanEnvironment is this process's environment without pvesphere's or Node's settings. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('PVESPHERE_')) continue;
    if (['PORT', 'HOST', 'DATABASE_URL', 'LOG_LEVEL', 'NODE_OPTIONS'].includes(name)) continue;
    clean[name] = value;
  }
  return clean;
}

/**
 * StartScript is package.json's `start` script taken apart: the environment it sets before
 * `node`, the Node flags it passes and the script it runs (its arguments after it aside).
 */
export interface StartScript {
  env: Record<string, string>;
  flags: string[];
  /** The entry point, relative to the project (`dist/src/main.js`: the build). */
  entry: string;
}

/**
 * startScript reads package.json's `start` script: the environment it sets before `node` (such
 * as glibc's malloc thresholds), the Node flags it passes (such as the young generation's size)
 * and the compiled entry point it runs, so the measured server runs as `npm start` runs it.
 */
export async function startScript(): Promise<StartScript> {
  const pkg = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = (pkg.scripts.start ?? '').split(/\s+/).filter((word) => word !== '');
  const env: Record<string, string> = {};
  let at = 0;
  for (; at < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[at]!); at++) {
    const word = words[at]!;
    env[word.slice(0, word.indexOf('='))] = word.slice(word.indexOf('=') + 1);
  }
  const flags: string[] = [];
  at++;
  for (; at < words.length && words[at]!.startsWith('--'); at++) flags.push(words[at]!);
  const entry = words[at];
  if (entry === undefined) throw new Error(`package.json's start script runs no script: ${words}`);
  return { env, flags, entry };
}

/**
 * startServerProcess runs pvesphere the way an operator does (`npm start`'s environment, flags
 * and compiled entry point, `dist/src/main.js serve` — not through npm, so signals reach it),
 * with `--expose-gc` and the benchmark's agent (server-agent.ts: memory after GC, CPU profiles,
 * heap snapshots over the IPC channel), and resolves once it serves GraphQL. Both must have been
 * built (buildServer, which the benchmark runs first). Its JSON log lines are parsed; a bounded
 * window of them is kept.
 */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const start = await startScript();
  for (const built of [join(PROJECT_ROOT, start.entry), AGENT]) {
    if (!existsSync(built)) {
      throw new Error(
        `${built} is missing: build first (buildServer in bench/support/server-build.ts)`,
      );
    }
  }
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--expose-gc',
      ...start.flags,
      ...(options.nodeFlags ?? []),
      '--import',
      AGENT,
      start.entry,
      'serve',
    ],
    {
      cwd: PROJECT_ROOT,
      env: { ...cleanEnvironment(), ...start.env, PORT: '0', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  const lines: LogLine[] = [];
  let dropped = 0;
  const waiters = new Set<() => void>();
  const replies = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  let nextId = 1;
  child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
    const reply = replies.get(message.id);
    replies.delete(message.id);
    if (message.error !== undefined) reply?.reject(new Error(message.error));
    else reply?.resolve(message.result);
  });
  const ask = <T>(command: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolvePromise, reject) => {
      if (!running) return reject(new Error('the server is not running'));
      const id = nextId++;
      replies.set(id, { resolve: resolvePromise as (value: unknown) => void, reject });
      child.send({ id, ...command });
    });
  let stderrTail = '';
  const exited = once(child, 'exit');
  let running = true;
  void exited.then(() => {
    running = false;
    for (const wake of waiters) wake();
  });

  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
      const text = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      try {
        lines.push(JSON.parse(text) as LogLine);
        if (lines.length > KEPT_LOG_LINES) {
          dropped += lines.length - KEPT_LOG_LINES;
          lines.splice(0, lines.length - KEPT_LOG_LINES);
        }
      } catch {
        // Not a log line.
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4000);
  });

  const waitForLog = (
    match: (line: LogLine) => boolean,
    { timeoutMs = 60_000, from = 0 }: { timeoutMs?: number; from?: number } = {},
  ) =>
    new Promise<LogLine>((resolvePromise, reject) => {
      let seen = from;
      const check = () => {
        for (seen = Math.max(seen, dropped); seen < dropped + lines.length; seen++) {
          const line = lines[seen - dropped]!;
          if (match(line)) {
            done();
            resolvePromise(line);
            return;
          }
        }
        if (!running) {
          done();
          reject(
            new Error(`pvesphere exited before the awaited log line; stderr: ${stderrTail.trim()}`),
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

  let serving: LogLine;
  try {
    serving = await waitForLog((line) => line.msg === 'pvesphere is serving GraphQL', {
      timeoutMs: options.startTimeoutMs ?? 60_000,
    });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const port = Number(serving.port);
  return {
    pid: child.pid!,
    url: String(serving.url),
    origin: `http://127.0.0.1:${port}`,
    logs: () => lines,
    logCount: () => dropped + lines.length,
    waitForLog,
    memory: (options) => ask<ServerMemory>({ cmd: 'memory', reduce: options?.reduce ?? true }),
    startProfile: () => ask<void>({ cmd: 'profile-start' }),
    stopProfile: (file) => ask<string>({ cmd: 'profile-stop', file }),
    heapSnapshot: (file) => ask<string>({ cmd: 'heap-snapshot', file }),
    signal: (signal) => {
      child.kill(signal);
    },
    async stop(timeoutMs = 15_000) {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
