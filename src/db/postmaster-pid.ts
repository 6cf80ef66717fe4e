import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { coerceError } from '../lib/coerce-error.js';
import { isProcessAlive, readProcessStat } from './process-identity.js';

/** POSTMASTER_PID_FILE is the lock file a running PostgreSQL server keeps in its data directory. */
export const POSTMASTER_PID_FILE = 'postmaster.pid';

/**
 * PostmasterPid is the content of `postmaster.pid` (PostgreSQL 10 and later): one field per line.
 */
export interface PostmasterPid {
  pid: number;
  dataDir: string;
  /** Start time, seconds since the epoch. */
  startedAt: number;
  port: number;
  socketDir: string;
  listenAddresses: string;
  /** `starting`, `stopping`, `ready` or `standby`; empty while the file is being written. */
  status: string;
}

/**
 * readPostmasterPid parses `<pgdata>/postmaster.pid`; undefined when the file does not exist or
 * does not start with a pid (a file caught half-written counts as absent).
 */
export async function readPostmasterPid(pgdata: string): Promise<PostmasterPid | undefined> {
  let text: string;
  try {
    text = await readFile(join(pgdata, POSTMASTER_PID_FILE), 'utf8');
  } catch (err) {
    const error = coerceError(err);
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return {
    pid,
    dataDir: lines[1] ?? '',
    startedAt: Number(lines[2] ?? 0),
    port: Number(lines[3] ?? 0),
    socketDir: lines[4] ?? '',
    listenAddresses: lines[5] ?? '',
    status: (lines[7] ?? '').trim(),
  };
}

/**
 * PostmasterState says what the pid in a `postmaster.pid` refers to:
 * - `running`: a live postgres process whose working directory is `pgdata` (a postmaster chdirs
 *   into its data directory), i.e. this cluster's server;
 * - `dead`: no such process: the file is stale;
 * - `foreign`: a live process that is not this cluster's server (the pid was reused, typically
 *   after a reboot): the file is stale too, and that process must not be touched;
 * - `unknown`: a live process whose identity cannot be checked (no `/proc`, or no permission).
 */
export type PostmasterState = 'running' | 'dead' | 'foreign' | 'unknown';

/** postmasterState classifies the process named by `postmaster.pid`; see {@link PostmasterState}. */
export async function postmasterState(pid: number, pgdata: string): Promise<PostmasterState> {
  if (!(await isProcessAlive(pid))) return 'dead';
  const processStat = await readProcessStat(pid);
  if (!processStat) return 'unknown';
  if (processStat.comm !== 'postgres') return 'foreign';
  try {
    const [cwd, data] = await Promise.all([stat(`/proc/${pid}/cwd`), stat(pgdata)]);
    return cwd.dev === data.dev && cwd.ino === data.ino ? 'running' : 'foreign';
  } catch (err) {
    const error = coerceError(err);
    if (error.code === 'EACCES' || error.code === 'EPERM') return 'unknown';
    // Gone meanwhile, or its working directory was deleted (so it is not in `pgdata`).
    if (error.code === 'ENOENT') return (await isProcessAlive(pid)) ? 'foreign' : 'dead';
    throw error;
  }
}
