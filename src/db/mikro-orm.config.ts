import { fileURLToPath } from 'node:url';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { type Logger, silentLogger } from '../lib/logger.js';
import { ENTITIES } from './entities/all.js';
import type { MigrationEntry } from './migrations-list.js';
import { PinoOrmLogger } from './orm-logger.js';

/** MIGRATIONS_DIR is the top-level `migrations/` folder, wherever the process was started from. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/** OrmConfigOptions are the inputs of {@link createOrmConfig}. */
export interface OrmConfigOptions {
  /** postgres:// URL of the database to use. */
  clientUrl: string;
  /** Where ORM messages go. @default silentLogger */
  logger?: Logger;
  /** Write `migrations/.snapshot.json` when creating migrations (only the CLI does). @default false */
  snapshot?: boolean;
  /** Connection pool size. @default 10 */
  poolMax?: number;
  /**
   * The migrations, already imported (see loadMigrations). Without it the migrator imports the
   * files of `migrations/` itself, which needs a TypeScript loader: the CLI runs with one.
   */
  migrationsList?: MigrationEntry[];
}

/**
 * createOrmConfig is the one MikroORM configuration pvesphere uses: at run time, in tests and
 * (through `mikro-orm.cli.ts`) for the CLI that creates migrations.
 */
export function createOrmConfig(options: OrmConfigOptions): Options {
  const logger = options.logger ?? silentLogger;
  return defineConfig({
    clientUrl: options.clientUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    // Entities come from defineEntity: no decorator metadata to reflect.
    discovery: { warnWhenNoEntities: true },
    // Timestamps are timestamptz; read and write them as UTC.
    forceUtcTimezone: true,
    // The database is created by whoever provides it (embedded start-up, DATABASE_URL's owner).
    ensureDatabase: false,
    // Query logging goes through pino at debug, never with parameters (they can hold secrets).
    debug: logger.isLevelEnabled('debug') ? ['query'] : false,
    loggerFactory: () => new PinoOrmLogger(logger),
    pool: { min: 0, max: options.poolMax ?? 10 },
    migrations: {
      path: MIGRATIONS_DIR,
      pathTs: MIGRATIONS_DIR,
      glob: '!(*.d).{js,ts}',
      emit: 'ts',
      // One snapshot file for every database name, committed beside the migrations; only the
      // CLI writes it (runtime and test databases must not).
      snapshot: options.snapshot ?? false,
      snapshotName: '.snapshot',
      transactional: true,
      allOrNothing: true,
      disableForeignKeys: false,
      silent: false,
      ...(options.migrationsList ? { migrationsList: options.migrationsList } : {}),
    },
  });
}
