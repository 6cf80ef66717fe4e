/**
 * BenchTable is one table a scenario prints: a title, column headers and rows of cells.
 */
export interface BenchTable {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

/** BenchGoal is a target a scenario checks itself against, reported as met or not. */
export interface BenchGoal {
  name: string;
  target: string;
  actual: string;
  met: boolean;
}

/** BenchResult is what a scenario returns to the runner. */
export interface BenchResult {
  /** One-line summary printed after the tables. */
  summary: string;
  tables: BenchTable[];
  goals: BenchGoal[];
  /** Raw figures written to the JSON result (milliseconds unless the key says otherwise). */
  data: Record<string, unknown>;
  /** PostgreSQL server version, for scenarios that use one; null otherwise. */
  postgresql?: string | null;
}

/** ProgressTask reports the advance of one long step. */
export interface ProgressTask {
  /** tick adds `count` (default 1) to the work done. */
  tick(count?: number): void;
  /** done marks the step finished. */
  done(): void;
}

/** BenchContext is what the runner gives a scenario. */
export interface BenchContext {
  /** Scenario options from the command line (`--objects=1000` → { objects: '1000' }). */
  options: Record<string, string>;
  /** progress starts reporting a long step of `total` units on standard error. */
  progress(label: string, total: number): ProgressTask;
  /** log writes a line to standard error (standard output is for the report). */
  log(message: string): void;
}

/**
 * BenchScenario is the contract of every module in bench/scenarios/: it exports
 * `scenario: BenchScenario`, named after its file; `npm run bench -- <name>` runs it, prints its
 * tables and writes bench/results/<name>.json with the machine it ran on.
 */
export interface BenchScenario {
  name: string;
  description: string;
  /** Runs only when named or with `--all` (too long for the default run). @default false */
  explicit?: boolean;
  /** Position in the default run (smaller first; then by name). @default 100 */
  order?: number;
  run(context: BenchContext): Promise<BenchResult>;
}

/** numberOption reads a positive numeric scenario option, or returns the default. */
export function numberOption(
  options: Record<string, string>,
  name: string,
  fallback: number,
): number {
  const raw = options[name];
  if (raw === undefined) return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}
