import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from './server-process.js';

/** A V8 `.cpuprofile` (what `node --cpu-prof` writes). */
interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** ProfileEntry is one function or file of a profile summary, with its share of the samples. */
export interface ProfileEntry {
  name: string;
  /** Milliseconds of samples in the function itself (self) or under it (total). */
  ms: number;
  percent: number;
}

/** ProfileSummary ranks where a process spent its CPU time. */
export interface ProfileSummary {
  file: string;
  sampledMs: number;
  /** Functions by self time. */
  topSelf: ProfileEntry[];
  /** Functions by total time (self + callees), recursion counted once. */
  topTotal: ProfileEntry[];
  /** Files (or packages) by self time. */
  byFile: ProfileEntry[];
}

function location(url: string): string {
  if (url === '') return '(native)';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = path.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (path.startsWith('node:')) return path;
  return path.startsWith('/') ? relative(PROJECT_ROOT, path) : path;
}

/**
 * summarizeCpuProfile reads a `.cpuprofile` and ranks functions by self and total time and files
 * (node_modules folded into their package) by self time. `(idle)` and `(program)` are left out of
 * the ranking; `(garbage collector)` stays.
 */
export async function summarizeCpuProfile(file: string, top = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const label = (id: number): string => {
    const frame = byId.get(id)!.callFrame;
    const name = frame.functionName || '(anonymous)';
    return frame.url ? `${name} ${location(frame.url)}:${frame.lineNumber + 1}` : name;
  };
  const skipped = new Set(['(idle)', '(program)', '(root)']);
  // The agent's own work (stopping the profiler, serialising it) is not the server's.
  const underAgent = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (byId.get(at)!.callFrame.url.includes('bench/support/server-agent')) return true;
    }
    return false;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const files = new Map<string, number>();
  let sampledUs = 0;
  for (const [id, us] of selfUs) {
    const name = label(id);
    if (skipped.has(name) || underAgent(id)) continue;
    sampledUs += us;
    self.set(name, (self.get(name) ?? 0) + us);
    const file = location(byId.get(id)!.callFrame.url);
    files.set(file, (files.get(file) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const ancestor = label(at);
      if (seen.has(ancestor) || skipped.has(ancestor)) continue;
      seen.add(ancestor);
      total.set(ancestor, (total.get(ancestor) ?? 0) + us);
    }
  }
  const rank = (map: Map<string, number>): ProfileEntry[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 1000),
        percent: Math.round((us / Math.max(1, sampledUs)) * 1000) / 10,
      }));
  return {
    file,
    sampledMs: Math.round(sampledUs / 1000),
    topSelf: rank(self),
    topTotal: rank(total),
    byFile: rank(files),
  };
}

/** newestCpuProfile returns the most recent `.cpuprofile` in `directory`. */
export async function newestCpuProfile(directory: string): Promise<string | undefined> {
  const files = (await readdir(directory)).filter((f) => f.endsWith('.cpuprofile')).sort();
  return files.length > 0 ? join(directory, files.at(-1)!) : undefined;
}
