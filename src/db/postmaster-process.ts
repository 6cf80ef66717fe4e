import { spawn } from 'node:child_process';
import { open, rename, stat } from 'node:fs/promises';
import { coerceError } from '../lib/coerce-error.js';
import type { OsUser } from './postgres-os-user.js';
import { readPostmasterPid } from './postmaster-pid.js';
import { isProcessAlive } from './process-identity.js';

/** POLL_MS is how often start and stop look at the server's state. */
const POLL_MS = 10;

/** IMMEDIATE_TIMEOUT_MS is how long an immediate shutdown may take (it normally takes milliseconds). */
const IMMEDIATE_TIMEOUT_MS = 2_000;

/** MAX_LOG_BYTES is the server log size beyond which it is rotated (to `<log>.1`) at start. */
const MAX_LOG_BYTES = 10 * 1024 * 1024;

/** LaunchPostmasterOptions describe one server start. */
export interface LaunchPostmasterOptions {
  /** The `postgres` executable. */
  postgres: string;
  pgdata: string;
  /** Server settings passed as `-c name=value`. */
  settings: Record<string, string>;
  /** Run as this user; undefined = as this process's user. */
  user: OsUser | undefined;
  /** Server log file (stdout and stderr of the postmaster); created 0600. */
  logFile: string;
  /** How long to wait for `ready` in postmaster.pid. */
  timeoutMs: number;
}

/** PostmasterLaunchFailure is why {@link launchPostmaster} failed, for the caller's message. */
export class PostmasterLaunchFailure extends Error {
  constructor(
    /** `port-in-use` (the log says the address is taken), `exited`, `timeout` or `spawn`. */
    readonly reason: 'port-in-use' | 'exited' | 'timeout' | 'spawn',
    /** The last lines the server logged during this attempt. */
    readonly logTail: string,
    message: string,
  ) {
    super(message);
    this.name = 'PostmasterLaunchFailure';
  }
}

/**
 * launchPostmaster starts `postgres` as a detached process (its own session, output to the log
 * file, not tied to this process: it keeps running if this process dies, which is what lets a
 * restarted pvesphere find and stop it) and resolves with its pid once `postmaster.pid` says
 * `ready`. On failure the server is gone and a {@link PostmasterLaunchFailure} is thrown.
 */
export async function launchPostmaster(options: LaunchPostmasterOptions): Promise<number> {
  await rotateLog(options.logFile);
  const log = await open(options.logFile, 'a', 0o600);
  const offset = (await log.stat()).size;
  const args = ['-D', options.pgdata];
  for (const [name, value] of Object.entries(options.settings)) args.push('-c', `${name}=${value}`);
  let exited: string | undefined;
  let spawnError: Error | undefined;
  const child = spawn(options.postgres, args, {
    cwd: options.pgdata,
    env: { LC_ALL: 'C' },
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
  });
  await log.close();
  child.once('error', (err) => {
    spawnError = coerceError(err);
  });
  child.once('exit', (code, signal) => {
    exited = signal ? `signal ${signal}` : `exit code ${code}`;
  });
  child.unref();

  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    if (spawnError) {
      throw new PostmasterLaunchFailure(
        'spawn',
        '',
        `could not run ${options.postgres}: ${spawnError.message}`,
      );
    }
    if (exited) {
      const tail = await readLogTail(options.logFile, offset);
      const reason = /Address already in use/.test(tail) ? 'port-in-use' : 'exited';
      throw new PostmasterLaunchFailure(
        reason,
        tail,
        `postgres stopped during start-up (${exited})`,
      );
    }
    const pidFile = await readPostmasterPid(options.pgdata);
    if (pidFile && pidFile.pid === child.pid && pidFile.status === 'ready') return pidFile.pid;
    if (performance.now() > deadline) {
      if (child.pid) await stopPostmaster(child.pid, 0);
      const tail = await readLogTail(options.logFile, offset);
      throw new PostmasterLaunchFailure(
        'timeout',
        tail,
        `postgres was not ready within ${Math.round(options.timeoutMs / 1000)}s`,
      );
    }
    await delay(POLL_MS);
  }
}

/**
 * stopPostmaster shuts the server with this pid down: a fast shutdown first (SIGINT: sessions are
 * ended, a checkpoint is written, what `pg_ctl stop -m fast` sends), then, when that takes longer
 * than `fastTimeoutMs`, an immediate shutdown (SIGQUIT: crash recovery at the next start, no data
 * lost that was committed). Resolves with how it ended; throws when the process is still there
 * {@link IMMEDIATE_TIMEOUT_MS} after that, or may not be signalled.
 */
export async function stopPostmaster(
  pid: number,
  fastTimeoutMs: number,
): Promise<'fast' | 'immediate' | 'not-running'> {
  if (!signal(pid, 'SIGINT')) return 'not-running';
  if (await waitForExit(pid, fastTimeoutMs)) return 'fast';
  if (signal(pid, 'SIGQUIT') && !(await waitForExit(pid, IMMEDIATE_TIMEOUT_MS))) {
    throw new Error(`postgres (pid ${pid}) did not exit after SIGINT and SIGQUIT`);
  }
  return 'immediate';
}

/** waitForExit resolves true once the process is gone, false when `timeoutMs` passes first. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!(await isProcessAlive(pid))) return true;
    if (performance.now() >= deadline) return false;
    await delay(POLL_MS);
  }
}

/** signal sends `name` to `pid`; false when there is no such process. */
function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch (err) {
    const error = coerceError(err);
    if (error.code === 'ESRCH') return false;
    throw error;
  }
}

/** readLogTail returns the last lines (at most 2,000 characters) written after `offset`. */
export async function readLogTail(logFile: string, offset: number): Promise<string> {
  try {
    const log = await open(logFile, 'r');
    try {
      const { size } = await log.stat();
      const start = Math.max(offset, size - 2_000);
      const buffer = Buffer.alloc(size - start);
      await log.read(buffer, 0, buffer.length, start);
      return buffer.toString('utf8').trim();
    } finally {
      await log.close();
    }
  } catch (err) {
    return `(server log unreadable: ${coerceError(err).message})`;
  }
}

async function rotateLog(logFile: string): Promise<void> {
  try {
    if ((await stat(logFile)).size > MAX_LOG_BYTES) await rename(logFile, `${logFile}.1`);
  } catch (err) {
    const error = coerceError(err);
    if (error.code !== 'ENOENT') throw error;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
