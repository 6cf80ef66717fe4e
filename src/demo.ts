import { join } from 'node:path';
import type { Config } from './config.js';
import { coerceError } from './lib/coerce-error.js';
import type { Logger } from './lib/logger.js';

/** DEMO_CLUSTER is the name the demo registers its simulated cluster under. */
export const DEMO_CLUSTER = 'demo';

/** DemoOptions are the command-line options of `npm run demo`. */
export interface DemoOptions {
  nodes: number;
  guests: number;
  /** Random inventory changes per second in the simulated cluster. */
  churnPerSecond: number;
}

/** parseDemoArgs reads `--nodes N --guests N --churn R`. */
export function parseDemoArgs(argv: string[]): DemoOptions {
  const options: DemoOptions = { nodes: 3, guests: 30, churnPerSecond: 0.5 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], Number(argv[i + 1])];
    if (!Number.isFinite(value) || value < 0) throw new Error(`${flag} needs a number`);
    if (flag === '--nodes') options.nodes = Math.max(1, Math.round(value));
    else if (flag === '--guests') options.guests = Math.round(value);
    else if (flag === '--churn') options.churnPerSecond = value;
    else throw new Error(`unknown option ${flag} (use --nodes, --guests, --churn)`);
  }
  return options;
}

/**
 * runDemo serves pvesphere as `npm start` does, plus a simulated PVE cluster (HTTPS, API token,
 * pinned certificate) registered as cluster `demo` and enabled, with light churn: within seconds
 * GraphiQL shows its nodes, VMs and storage changing. The demo keeps its own data directory
 * (`<data dir>/demo`) unless DATABASE_URL is set, so it never mixes with a real inventory.
 * Runs until SIGINT/SIGTERM.
 */
export async function runDemo(config: Config, logger: Logger, argv: string[]): Promise<void> {
  const options = parseDemoArgs(argv);
  // Dynamic imports: the server's runtime never loads the simulator (DESIGN §1).
  const { startSimulator } = await import('./simulator/simulator.js');
  const { createApp } = await import('./app.js');
  const sim = await startSimulator({
    nodes: options.nodes,
    guests: options.guests,
    seed: 'pvesphere-demo',
    clusterName: 'demo',
    logger: logger.child({ component: 'simulator' }),
  });
  const app = createApp(
    {
      ...config,
      dataDir: config.databaseUrl === undefined ? join(config.dataDir, 'demo') : config.dataDir,
      pollIntervalMs: Math.min(config.pollIntervalMs, 2_000),
    },
    logger,
  );
  try {
    const { url, services } = await app.start();
    const settings = {
      apiUrl: sim.url,
      tokenId: sim.tokenId,
      tokenSecret: sim.secret,
      tlsFingerprint: sim.fingerprint ?? null,
      isEnabled: true,
    };
    const existing = (await services.clusters.list()).find((c) => c.name === DEMO_CLUSTER);
    const cluster = existing
      ? await services.clusters.update(existing.id, settings)
      : await services.clusters.create({
          ...settings,
          name: DEMO_CLUSTER,
          alias: 'Simulated cluster',
          env: 'demo',
          creator: 'demo',
        });
    if (options.churnPerSecond > 0) sim.control.startChurn(options.churnPerSecond);
    process.stdout.write(demoBanner(url, cluster.id, options));
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  } catch (err) {
    logger.error({ err: coerceError(err) }, 'demo failed');
    throw err;
  } finally {
    sim.control.stopChurn();
    await app.stop();
    await sim.stop();
  }
}

function demoBanner(url: string, clusterId: number, options: DemoOptions): string {
  return `
pvesphere demo: a simulated PVE cluster (${options.nodes} nodes, ${options.guests} guests, ${options.churnPerSecond} changes/s)
is registered as cluster "${DEMO_CLUSTER}" (id ${clusterId}) and syncing.

  GraphiQL:  ${url}

Try:
  { clusters { id name sync { state lastSyncedAt } } }
  { vms(first: 20, filter: { status: "running" }) { totalCount edges { node { vmid name node status ipAddresses { ipAddress } } } } }
  subscription { vmChanged { type vm { vmid name node status } changedFields } }

Ctrl-C stops the demo.
`;
}
