import { spawn } from 'node:child_process';
import { coerceError } from '../lib/coerce-error.js';

/** RunCommandOptions are the process settings of {@link runCommand}. */
export interface RunCommandOptions {
  /** Run as this user/group (needs root). @default this process's */
  uid?: number;
  gid?: number;
  /** Working directory. @default this process's */
  cwd?: string;
  /** The complete environment of the child. @default this process's */
  env?: NodeJS.ProcessEnv;
}

/** CommandResult is how a command ended and what it printed. */
export interface CommandResult {
  /** Exit code; null when killed by a signal or when it could not be started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started at all (ENOENT, EACCES, …). */
  error?: Error & { code?: unknown };
}

/**
 * runCommand runs a program to completion and collects its output. It never rejects: a program
 * that cannot be started resolves with `error` set, so callers turn every outcome into their own
 * message.
 */
export function runCommand(
  file: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let error: (Error & { code?: unknown }) | undefined;
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (err) => {
      error = coerceError(err);
    });
    child.on('close', (code, signal) => {
      resolve({
        code: error ? null : code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        ...(error ? { error } : {}),
      });
    });
  });
}
