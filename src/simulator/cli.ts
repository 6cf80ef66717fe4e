import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { parseDuration } from '../lib/duration.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { type RunningSimulator, startSimulator } from './simulator.js';

const USAGE = `usage: npm run simulator -- [options]

  --nodes N            nodes in the cluster (default 3)
  --guests N           VMs, containers and templates (default 30)
  --seed S             seed of everything random (default 1)
  --port P             port to listen on (default 8006; 0 = any free port)
  --host H             address to bind (default 127.0.0.1)
  --http               plain HTTP instead of HTTPS
  --churn R            random realistic changes per second (default off)
  --auth-delay D       delay of every 401 (default 3s, like PVE)
  --offline-delay D    delay before a call to an offline node fails with 595 (default 3s)
  --staleness D        how long an offline node's stats stay visible (default 5m)
  --rrd-interval D     metrics drift period (default 10s)
  --admin-token T      bearer token of the /_sim admin API (default random)
  --token-secret S     secret of the sync token (default random)
  --help               this text`;

/** SimulatorCliIo lets tests drive the CLI without signals or the real stdout. */
export interface SimulatorCliIo {
  /** Where the connection details go. @default process.stdout */
  stdout?: NodeJS.WritableStream;
  /** Stops the simulator when aborted (in addition to SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Logger for lifecycle lines (never carries secrets). @default createLogger() */
  logger?: Logger;
}

/**
 * runSimulatorCli runs `pvesphere simulator [options]` (`npm run simulator -- …`): starts one
 * simulated cluster, prints its apiUrl, token id and secret, certificate fingerprint, the admin
 * surface and a ready `createCluster` mutation, then serves until SIGINT/SIGTERM (or
 * `io.signal`) and stops cleanly. Invalid options print the usage and set exit code 2.
 */
export async function runSimulatorCli(argv: string[], io: SimulatorCliIo = {}): Promise<void> {
  const stdout = io.stdout ?? process.stdout;
  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (err) {
    stdout.write(`${(err as Error).message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (values.help) {
    stdout.write(`${USAGE}\n`);
    return;
  }
  const logger = io.logger ?? createLogger();
  const sim = await startSimulator({
    nodes: values.nodes,
    guests: values.guests,
    seed: values.seed,
    port: values.port,
    host: values.host,
    http: values.http,
    churnPerSecond: values.churn,
    authFailureDelayMs: values.authDelay,
    proxyDelayMs: values.offlineDelay,
    agentTimeoutMs: 3000,
    stalenessMs: values.staleness,
    rrdIntervalMs: values.rrdInterval,
    adminToken: values.adminToken,
    tokenSecret: values.tokenSecret,
    logger,
  });
  stdout.write(describe(sim, values.nodes, values.guests, values.seed));
  logger.info({ url: sim.url, nodes: values.nodes, guests: values.guests }, 'simulator listening');

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  io.signal?.addEventListener('abort', onSignal, { once: true });
  try {
    if (!stop.signal.aborted && !io.signal?.aborted) await once(stop.signal, 'abort');
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    io.signal?.removeEventListener('abort', onSignal);
    await sim.stop();
    logger.info('simulator stopped');
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
  }
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      nodes: { type: 'string', default: '3' },
      guests: { type: 'string', default: '30' },
      seed: { type: 'string', default: '1' },
      port: { type: 'string', default: '8006' },
      host: { type: 'string', default: '127.0.0.1' },
      http: { type: 'boolean', default: false },
      churn: { type: 'string' },
      'auth-delay': { type: 'string', default: '3s' },
      'offline-delay': { type: 'string', default: '3s' },
      staleness: { type: 'string', default: '5m' },
      'rrd-interval': { type: 'string', default: '10s' },
      'admin-token': { type: 'string' },
      'token-secret': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  return {
    nodes: count(values.nodes, '--nodes', 1),
    guests: count(values.guests, '--guests', 0),
    seed: /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed,
    port: count(values.port, '--port', 0),
    host: values.host,
    http: values.http,
    churn: values.churn === undefined ? undefined : rate(values.churn),
    authDelay: duration(values['auth-delay'], '--auth-delay'),
    offlineDelay: duration(values['offline-delay'], '--offline-delay'),
    staleness: duration(values.staleness, '--staleness'),
    rrdInterval: duration(values['rrd-interval'], '--rrd-interval'),
    adminToken: values['admin-token'],
    tokenSecret: values['token-secret'],
    help: values.help,
  };
}

function count(text: string, flag: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${flag} must be an integer ≥ ${min}`);
  return value;
}

function rate(text: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new Error('--churn must be a positive number of changes per second');
  return value;
}

function duration(text: string, flag: string): number {
  const value = text === '0' ? 0 : parseDuration(text);
  if (value === undefined) throw new Error(`${flag} must be a duration such as 500ms, 3s or 5m`);
  return value;
}

function describe(
  sim: RunningSimulator,
  nodes: number,
  guests: number,
  seed: string | number,
): string {
  const input = [
    `name: ${JSON.stringify(sim.control.clusterName)}`,
    `apiUrl: ${JSON.stringify(sim.url)}`,
    `tokenId: ${JSON.stringify(sim.tokenId)}`,
    `tokenSecret: ${JSON.stringify(sim.secret)}`,
    ...(sim.fingerprint ? [`tlsFingerprint: ${JSON.stringify(sim.fingerprint)}`] : []),
    'isEnabled: true',
  ];
  return [
    `Proxmox VE simulator "${sim.control.clusterName}": ${nodes} nodes, ${guests} guests, seed ${seed}`,
    `  apiUrl        ${sim.url}`,
    `  tokenId       ${sim.tokenId}`,
    `  secret        ${sim.secret}`,
    `  fingerprint   ${sim.fingerprint ?? '(plain HTTP)'}`,
    `  no-ACL token  ${sim.restrictedToken.tokenId} = ${sim.restrictedToken.secret}`,
    `  admin API     ${sim.adminUrl}/state  (Authorization: Bearer ${sim.adminToken})`,
    '',
    'Register it with pvesphere (GraphQL):',
    '',
    'mutation {',
    '  createCluster(input: {',
    ...input.map((line) => `    ${line}`),
    '  }) { id name }',
    '}',
    '',
  ].join('\n');
}
