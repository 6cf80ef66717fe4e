import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProfileSummary, summarizeCpuProfile } from './cpu-profile.js';
import { type HeapGroup, heapGrowth, summarizeHeapSnapshot } from './heap-snapshot.js';
import type { ServerProcess } from './server-process.js';

/** PROFILE_DIRECTORY is where CPU profiles and heap snapshots of the server are written. */
export const PROFILE_DIRECTORY = join(tmpdir(), 'pvesphere-bench-profiles');

/**
 * Profiler records CPU profiles of named windows of the server's life (when enabled) and keeps
 * their summaries; disabled, it only runs the windows.
 */
export class Profiler {
  readonly summaries: Record<string, ProfileSummary> = {};

  constructor(
    private readonly scenario: string,
    readonly enabled: boolean,
  ) {}

  /** window runs `fn`, profiling the server meanwhile when enabled. */
  async window<T>(server: ServerProcess, name: string, fn: () => Promise<T>): Promise<T> {
    if (!this.enabled) return fn();
    await mkdir(PROFILE_DIRECTORY, { recursive: true });
    await server.startProfile();
    try {
      return await fn();
    } finally {
      const file = await server.stopProfile(
        join(PROFILE_DIRECTORY, `${this.scenario}-${name}.cpuprofile`),
      );
      this.summaries[name] = await summarizeCpuProfile(file, 20);
    }
  }

  readonly heapSummaries: Record<string, HeapGroup[]> = {};

  /**
   * heapSnapshot writes a heap snapshot of the server when enabled, keeps its summary by
   * constructor, and returns its path.
   */
  async heapSnapshot(server: ServerProcess, name: string): Promise<string | undefined> {
    if (!this.enabled) return undefined;
    await mkdir(PROFILE_DIRECTORY, { recursive: true });
    const file = await server.heapSnapshot(
      join(PROFILE_DIRECTORY, `${this.scenario}-${name}.heapsnapshot`),
    );
    this.heapSummaries[name] = await summarizeHeapSnapshot(file);
    return file;
  }

  /**
   * growthPer compares two kept heap summaries and returns the top groups' growth divided by
   * `units` (bytes and objects per guest), or undefined when either is missing.
   */
  growthPer(before: string, after: string, units: number, top = 15): HeapGroup[] | undefined {
    const a = this.heapSummaries[before];
    const b = this.heapSummaries[after];
    if (!a || !b) return undefined;
    return heapGrowth(a, b)
      .slice(0, top)
      .map((group) => ({
        name: group.name,
        count: Math.round((group.count / units) * 100) / 100,
        selfBytes: Math.round(group.selfBytes / units),
      }));
  }
}
