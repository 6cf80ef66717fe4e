import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { BenchGoal, BenchResult, BenchTable } from './scenario.js';

/** Machine describes where a benchmark ran; written into every result file. */
export interface Machine {
  cpuModel: string;
  cores: number;
  node: string;
  platform: string;
  arch: string;
  memoryBytes: number;
  /** 1-minute load average when the result was written (other work shares the cores). */
  loadAverage1m: number;
  postgresql: string | null;
  /**
   * A fixed CPU workload timed in the benchmark's process before and after the scenario, ms
   * (see calibrate: lower is faster); null in files written before it was measured.
   */
  calibrationMs: { before: number; after: number } | null;
}

/** machineInfo reads the current machine; postgresql is filled in by scenarios that use it. */
export function machineInfo(
  postgresql: string | null = null,
  calibrationMs: Machine['calibrationMs'] = null,
): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
    memoryBytes: os.totalmem(),
    loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    postgresql,
    calibrationMs,
  };
}

/** formatCell renders numbers with thousands separators and at most two decimals. */
export function formatCell(value: string | number): string {
  if (typeof value === 'string') return value;
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** formatTable renders a table as aligned plain text, numbers right-aligned. */
export function formatTable(table: BenchTable): string {
  const cells = table.rows.map((row) => row.map(formatCell));
  const widths = table.columns.map((column, i) =>
    Math.max(column.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  const line = (row: string[], numeric: boolean[]): string =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const header = line(
    table.columns,
    table.columns.map(() => false),
  );
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  const body = table.rows.map((row, r) =>
    line(
      cells[r]!,
      row.map((cell) => typeof cell === 'number'),
    ),
  );
  return [table.title, header, rule, ...body].join('\n');
}

/** formatGoals renders the goal checklist. */
export function formatGoals(goals: BenchGoal[]): string {
  return goals
    .map(
      (goal) => `${goal.met ? 'PASS' : 'MISS'}  ${goal.name}: ${goal.actual} (goal ${goal.target})`,
    )
    .join('\n');
}

/** ResultFile is the JSON written to bench/results/<scenario>.json. */
export interface ResultFile {
  scenario: string;
  description: string;
  startedAt: string;
  durationMs: number;
  machine: Machine;
  goals: BenchGoal[];
  tables: BenchTable[];
  data: Record<string, unknown>;
}

/** writeResult writes a result file atomically (a .tmp file renamed into place). */
export async function writeResult(directory: URL, result: ResultFile): Promise<URL> {
  await mkdir(directory, { recursive: true });
  const target = new URL(`${result.scenario}.json`, directory);
  const temporary = new URL(`${result.scenario}.json.tmp`, directory);
  await writeFile(temporary, `${JSON.stringify(result, null, 2)}\n`);
  await rename(temporary, target);
  return target;
}

/** toResultFile assembles the result file of a finished scenario run. */
export function toResultFile(
  scenario: { name: string; description: string },
  result: BenchResult,
  startedAt: Date,
  durationMs: number,
  calibrationMs: Machine['calibrationMs'] = null,
): ResultFile {
  return {
    scenario: scenario.name,
    description: scenario.description,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(durationMs),
    machine: machineInfo(result.postgresql ?? null, calibrationMs),
    goals: result.goals,
    tables: result.tables,
    data: result.data,
  };
}
