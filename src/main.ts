import { type Config, ConfigError, loadConfig } from './config.js';
import { coerceError } from './lib/coerce-error.js';
import { createLogger, type Logger } from './lib/logger.js';
import { Releasers } from './lib/releasers.js';

const USAGE = `usage: pvesphere [serve | migrate | simulator [options] | demo [options]]

  serve       serve GraphQL (default)
  migrate     apply pending database migrations and exit
  simulator   run a Proxmox VE API simulator (npm run simulator -- --help)
  demo        serve with a simulated cluster registered and changing (--nodes, --guests, --churn)`;

/**
 * waitForShutdown resolves on the first SIGINT or SIGTERM; a second signal exits at once.
 */
function waitForShutdown(logger: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down');
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

async function serve(config: Config, logger: Logger): Promise<void> {
  // Loaded after the configuration is known good: a bad value fails fast.
  const { createApp } = await import('./app.js');
  const app = createApp(config, logger);
  const shutdown = waitForShutdown(logger);
  await app.start();
  await shutdown;
  await app.stop();
  logger.info('stopped');
}

async function migrate(config: Config, logger: Logger): Promise<void> {
  const { connectDatabase } = await import('./app.js');
  const releasers = new Releasers();
  try {
    await connectDatabase(config, logger, releasers);
  } finally {
    await releasers.releaseAll();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command = 'serve', ...rest] = argv;
  if (command === 'simulator') {
    const { runSimulatorCli } = await import('./simulator/cli.js');
    await runSimulatorCli(rest);
    return;
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`pvesphere: invalid configuration: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });
  try {
    if (command === 'serve') await serve(config, logger);
    else if (command === 'migrate') await migrate(config, logger);
    else if (command === 'demo') {
      const { runDemo } = await import('./demo.js');
      await runDemo(config, logger, rest);
    } else {
      console.error(`pvesphere: unknown command '${command}'\n\n${USAGE}`);
      process.exitCode = 2;
    }
  } catch (err) {
    logger.fatal({ err: coerceError(err) }, 'pvesphere failed');
    throw err;
  } finally {
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    const error = coerceError(err);
    console.error(`pvesphere: ${error.message}`);
    process.exit(1);
  },
);
