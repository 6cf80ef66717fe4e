// The query load generator, run as a child process of the benchmark
// (`node --import tsx bench/support/query-load-worker.ts`) so that its event loop is its own:
// the simulators in the benchmark process never delay a measured request. It receives one
// QueryLoadJob over IPC, reports `{ measuring: true }` when the warm-up ends, and answers with
// a QueryLoadReport.
import { Pool } from 'undici';

/** QueryLoadJob is what the benchmark asks the worker to run. */
export interface QueryLoadJob {
  origin: string;
  query: string;
  filters: Array<Record<string, unknown>>;
  first: number;
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
}

/** QueryLoadReport is the worker's answer: latencies (ms) of the measured requests. */
export interface QueryLoadReport {
  latencies: number[];
  errors: number;
  /** The worker's own CPU time during the measured window (ms). */
  cpuMs: number;
}

async function run(job: QueryLoadJob): Promise<QueryLoadReport> {
  const pool = new Pool(job.origin, { connections: job.concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const bodies = job.filters.map((filter) =>
    JSON.stringify({ query: job.query, variables: { filter, first: job.first } }),
  );
  const warmUntil = performance.now() + job.warmupSeconds * 1000;
  const stopAt = warmUntil + job.seconds * 1000;
  let cpuStart: NodeJS.CpuUsage | undefined;
  const warmed = setTimeout(
    () => {
      cpuStart = process.cpuUsage();
      process.send?.({ measuring: true });
    },
    Math.max(0, warmUntil - performance.now()),
  );
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (performance.now() < stopAt) {
        const body = bodies[counter++ % bodies.length]!;
        const started = performance.now();
        try {
          const { statusCode, body: answerBody } = await pool.request({
            path: '/graphql',
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body,
          });
          // The answers were checked whole (parsed, totalCount per filter) before the load;
          // here a cheap look suffices, so that the generator's own CPU — it shares the
          // machine with the server — stays small next to the server's.
          const answer = await answerBody.text();
          if (statusCode !== 200 || !answer.startsWith('{"data":') || answer.includes('"errors":'))
            errors++;
        } catch {
          errors++;
        }
        if (started >= warmUntil) latencies.push(performance.now() - started);
      }
    }),
  );
  clearTimeout(warmed);
  const cpu = process.cpuUsage(cpuStart);
  await pool.close();
  return { latencies, errors, cpuMs: (cpu.user + cpu.system) / 1000 };
}

process.once('message', (job: QueryLoadJob) => {
  run(job).then(
    (report) => process.send?.(report, () => process.exit(0)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
