// Prints the README's benchmark tables (Markdown) from bench/results/*.json:
// `node --import tsx bench/readme-table.ts`. Scenarios without a result file are left out.
import { readFile } from 'node:fs/promises';
import type { ResultFile } from './report.js';

/** A main-table row of an inventory scenario, as inventory-report.ts writes it into `data.rows`. */
interface ResultRow {
  key: string;
  value: string;
  goal?: string;
  met?: boolean;
}

const SCENARIOS = ['small', 'medium', 'large', 'xl'] as const;

/** The rows of the README table: a result row key and its label. */
const ROWS: Array<[key: string, label: string]> = [
  ['list-per-cycle', 'PVE list calls per steady poll cycle and cluster'],
  ['list-per-node', '… per-node strategy (measured)'],
  ['list-original', '… original, 2 + 2·N (computed)'],
  ['list-fewer', 'fewer list calls than the original'],
  ['detail-per-change', 'detail calls (config, agent) per changed guest'],
  ['detail-per-hour', 'detail calls per hour per 1,000 running guests'],
  ['initial-sync', 'initial sync: enabled → every guest in PostgreSQL'],
  ['floor', 'floor: plain multi-row INSERT of the same rows'],
  ['sync-floor-ratio', 'initial sync / floor'],
  ['idle-rows', 'idle cycles: rows written (timestamps / pg_stat)'],
  ['idle-events', 'idle cycles: events'],
  ['idle-cpu', 'idle cycle: server CPU'],
  ['restart-writes', 'restart: rows written / events'],
  ['usage-flush', 'usage flush: rows per cluster and interval'],
  ['latency', 'change latency: poll answered → graphql-ws event, p50 / p99'],
  ['end-to-end', 'change in PVE → event, p50 / p99'],
  ['fan-out', '1,000 subscribers: poll answered → received, p50 / p99'],
  ['bare', 'bare ws broadcast to 1,000 graphql-ws clients, p50 / p99'],
  ['bare-plain-spread', '… to plain ws clients (no graphql-ws client): spread, p50 / p99'],
  ['fan-out-ratio', 'fan-out vs bare ws to the same clients (spread, p99)'],
  ['queries', 'vms(first: 100, filter) at concurrency 50, p50 / p99'],
  ['queries-rps', '… throughput'],
  ['queries-uncached', '… without the response cache, p50 / p99'],
  ['queries-uncached-rps', '… without the response cache, throughput'],
  ['rss-marginal', 'server RSS per cached guest (marginal)'],
  ['rss-marginal-ordinary', '… read before V8 reduces its memory'],
  ['heap-marginal', '… V8 heap per cached guest (marginal)'],
];

async function load(name: string): Promise<ResultFile | undefined> {
  try {
    const url = new URL(`./results/${name}.json`, import.meta.url);
    return JSON.parse(await readFile(url, 'utf8')) as ResultFile;
  } catch {
    return undefined;
  }
}

/** cell shortens a value for the table: the parenthesised detail of throughput goes. */
function cell(row: ResultRow | undefined): string {
  if (!row) return '—';
  const value = row.value.replace(/\|/g, '\\|');
  if (row.met === undefined) return value;
  return `${value} ${row.met ? '✓' : '✗'}`;
}

async function main(): Promise<void> {
  const results = (await Promise.all(SCENARIOS.map(load))).flatMap((result, i) =>
    result ? [{ name: SCENARIOS[i]!, result }] : [],
  );
  const rowsOf = new Map(
    results.map(({ name, result }) => [
      name,
      new Map(((result.data.rows as ResultRow[] | undefined) ?? []).map((row) => [row.key, row])),
    ]),
  );
  const lines: string[] = [];
  for (const { name, result } of results) {
    const m = result.machine;
    lines.push(
      `- ${name}: ${result.description}; run ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC, ` +
        `${Math.round(result.durationMs / 1000)} s, load ${m.loadAverage1m} at the end` +
        (m.calibrationMs
          ? `, calibration ${m.calibrationMs.before} → ${m.calibrationMs.after} ms`
          : ''),
    );
  }
  const machine = results[0]?.result.machine;
  if (machine) {
    lines.unshift(
      `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${Math.round(machine.memoryBytes / 2 ** 30)} GiB, ` +
        `Node ${machine.node}, PostgreSQL ${machine.postgresql ?? '?'} (embedded). ✓/✗: goal met or not.`,
      '',
    );
  }
  lines.push('', `| measure | ${results.map((r) => r.name).join(' | ')} | goal |`);
  lines.push(`|---|${results.map(() => '---|').join('')}---|`);
  for (const [key, label] of ROWS) {
    const cells = results.map(({ name }) => rowsOf.get(name)?.get(key));
    const goal = [...cells].reverse().find((row) => row?.goal)?.goal ?? '';
    lines.push(`| ${label} | ${cells.map(cell).join(' | ')} | ${goal} |`);
  }
  const informer = await load('informer');
  if (informer) {
    lines.push('', `Informer micro-benchmark (${informer.description}):`, '');
    lines.push('| measure | value | goal |', '|---|---|---|');
    for (const goal of informer.goals) {
      lines.push(`| ${goal.name} | ${goal.actual} ${goal.met ? '✓' : '✗'} | ${goal.target} |`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
