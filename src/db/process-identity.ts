import { readFile } from 'node:fs/promises';
import { coerceError } from '../lib/coerce-error.js';

/**
 * ProcessIdentity identifies a process in a way that survives pid reuse: its pid plus its start
 * time in clock ticks since boot (field 22 of `/proc/<pid>/stat`). `startTime` is undefined where
 * there is no `/proc`; then only the pid is compared.
 */
export interface ProcessIdentity {
  pid: number;
  startTime?: string;
}

/** ProcessStat is the part of `/proc/<pid>/stat` pvesphere reads. */
export interface ProcessStat {
  /** The executable's name as the kernel keeps it (at most 15 characters), e.g. `postgres`. */
  comm: string;
  /** One-letter state: `R`, `S`, `D`, `Z` (zombie), … */
  state: string;
  /** Start time in clock ticks since boot. */
  startTime: string;
}

/**
 * readProcessStat returns the kernel's view of a process, or undefined when there is no such
 * process or no `/proc` (non-Linux).
 */
export async function readProcessStat(pid: number): Promise<ProcessStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    const error = coerceError(err);
    if (error.code === 'ENOENT' || error.code === 'ESRCH') return undefined;
    throw error;
  }
  // The name is in parentheses and may itself contain spaces and parentheses: split after the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // rest[0] is field 3 (state); field 22 (starttime) is rest[19].
  const state = rest[0];
  const startTime = rest[19];
  if (state === undefined || startTime === undefined) return undefined;
  return { comm: text.slice(open + 1, close), state, startTime };
}

/** currentProcessIdentity returns the identity of this Node process. */
export async function currentProcessIdentity(): Promise<ProcessIdentity> {
  const stat = await readProcessStat(process.pid);
  return stat ? { pid: process.pid, startTime: stat.startTime } : { pid: process.pid };
}

/**
 * isProcessAlive tells whether a process with this pid exists and is not a zombie (a zombie has
 * exited; only its parent has not collected it yet, which happens when PID 1 does not reap).
 * A process of another user counts as alive.
 */
export async function isProcessAlive(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    const error = coerceError(err);
    if (error.code === 'ESRCH') return false;
    if (error.code !== 'EPERM') throw error;
  }
  const stat = await readProcessStat(pid);
  return stat === undefined ? true : stat.state !== 'Z';
}

/**
 * isSameProcessAlive tells whether the process identified is still running: the pid is alive and,
 * when both start times are known, it is the same process and not a later one that reused the pid.
 */
export async function isSameProcessAlive(identity: ProcessIdentity): Promise<boolean> {
  if (!(await isProcessAlive(identity.pid))) return false;
  if (identity.startTime === undefined) return true;
  const stat = await readProcessStat(identity.pid);
  return stat === undefined || stat.startTime === identity.startTime;
}
