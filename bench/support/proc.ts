import { readdir, readFile } from 'node:fs/promises';

/** CLOCK_TICKS is USER_HZ, the unit of utime/stime in /proc/<pid>/stat (100 on Linux). */
const CLOCK_TICKS = 100;

/**
 * processCpuMs reads the CPU time (user + system, ms) another process has used so far, from
 * /proc/<pid>/stat (10 ms resolution).
 */
export async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS;
}

/** processRssBytes reads the resident set size of another process from /proc/<pid>/status. */
export async function processRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/**
 * processTreeCpuMs is the CPU time (ms) of a process and its live children (PostgreSQL: the
 * postmaster and its backends); children that exited meanwhile are not counted.
 */
export async function processTreeCpuMs(pid: number): Promise<number> {
  let total = await processCpuMs(pid).catch(() => 0);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) total += await processCpuMs(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return total;
}

/** ownCpuMs is this process's CPU time so far (ms). */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
