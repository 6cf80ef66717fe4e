// The benchmark runner: `npm run bench -- <scenario> [<scenario>…] [--option=value…]`.
// Every module in bench/scenarios/ exports `scenario: BenchScenario`; without a name, every
// scenario that is not `explicit` runs, in `order` (`--all` adds the explicit ones, such as xl).
// Each prints its tables on standard output (progress goes to standard error) and writes
// bench/results/<scenario>.json with the machine it ran on. Missed goals are reported (MISS), not
// turned into a failing exit code: a slower machine is not a broken build.
import { readdir } from 'node:fs/promises';
import { startProgress } from './progress.js';
import { formatGoals, formatTable, toResultFile, writeResult } from './report.js';
import type { BenchContext, BenchScenario } from './scenario.js';
import { calibrate } from './support/calibration.js';
import { runInterruptCleanups } from './support/interrupt-cleanup.js';
import { buildServer } from './support/server-build.js';

const scenariosDirectory = new URL('./scenarios/', import.meta.url);
const resultsDirectory = new URL('./results/', import.meta.url);

function parseArguments(argv: string[]): { names: string[]; options: Record<string, string> } {
  const names: string[] = [];
  const options: Record<string, string> = {};
  for (const arg of argv) {
    if (arg.startsWith('--')) {
      const [key, value = 'true'] = arg.slice(2).split('=', 2);
      options[key!] = value;
    } else {
      names.push(arg);
    }
  }
  return { names, options };
}

async function availableScenarios(): Promise<string[]> {
  const files = await readdir(scenariosDirectory);
  return files
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -'.ts'.length))
    .sort();
}

async function loadScenario(name: string): Promise<BenchScenario> {
  const module = (await import(new URL(`${name}.ts`, scenariosDirectory).href)) as {
    scenario?: BenchScenario;
  };
  if (module.scenario === undefined || module.scenario.name !== name) {
    throw new Error(`bench/scenarios/${name}.ts must export \`scenario\` named '${name}'`);
  }
  return module.scenario;
}

async function main(): Promise<number> {
  const { names, options } = parseArguments(process.argv.slice(2));
  const available = await availableScenarios();
  if (options.help !== undefined) {
    process.stdout.write(
      `usage: npm run bench -- [scenario…] [--all] [--option=value…]\nscenarios: ${available.join(', ')}\n`,
    );
    return 0;
  }
  const unknown = names.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown scenario: ${unknown.join(', ')} (available: ${available.join(', ')})\n`,
    );
    return 2;
  }
  const context: BenchContext = {
    options,
    progress: startProgress,
    log: (message) => process.stderr.write(`${message}\n`),
  };
  const scenarios = await Promise.all(
    (names.length > 0 ? names : available).map((name) => loadScenario(name)),
  );
  const selected =
    names.length > 0
      ? scenarios
      : scenarios
          .filter((scenario) => options.all !== undefined || scenario.explicit !== true)
          .sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.name.localeCompare(b.name));
  // The measured servers run compiled, as `npm start` runs them (server-build.ts).
  context.log('building the server (npm run build)…');
  await buildServer();
  for (const scenario of selected) {
    context.log(`▶ ${scenario.name}: ${scenario.description}`);
    const before = calibrate();
    const startedAt = new Date();
    const started = performance.now();
    const result = await scenario.run(context);
    const durationMs = performance.now() - started;
    const calibrationMs = { before, after: calibrate() };
    const file = toResultFile(scenario, result, startedAt, durationMs, calibrationMs);
    const written = await writeResult(resultsDirectory, file);
    const { machine } = file;
    process.stdout.write(
      [
        `\n${scenario.name} — ${scenario.description}`,
        `machine: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage1m}` +
          (machine.postgresql === null ? '' : `, PostgreSQL ${machine.postgresql}`),
        `calibration (a fixed CPU workload, lower is faster): ${calibrationMs.before} ms before, ${calibrationMs.after} ms after`,
        '',
        ...result.tables.map((table) => `${formatTable(table)}\n`),
        formatGoals(result.goals),
        '',
        result.summary,
        `written: ${written.pathname}`,
        '',
      ].join('\n'),
    );
  }
  return 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the server, the simulators and PostgreSQL…\n`);
    void runInterruptCleanups().finally(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
