import { type EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../lib/logger.js';
import { loadMigrations } from './migrations-list.js';
import { createOrmConfig } from './mikro-orm.config.js';

/** Advisory lock key that serialises migrations between replicas starting at the same time. */
const MIGRATION_LOCK_KEY = 0x70766573; // 'pves'

/** DatabaseOptions are the inputs of {@link openDatabase}. */
export interface DatabaseOptions {
  clientUrl: string;
  logger: Logger;
  /** Connection pool size. @default 10 */
  poolMax?: number;
}

/**
 * Database is pvesphere's handle on PostgreSQL: the MikroORM instance plus the few operations
 * start-up, health checks and shutdown need. Units of work use {@link Database.fork}; nothing uses
 * the global entity manager.
 */
export interface Database {
  readonly orm: MikroORM;
  /** fork returns a fresh entity manager for one unit of work (a request, a sync cycle). */
  fork(): EntityManager;
  /** migrate applies pending migrations (serialised across replicas); returns their names. */
  migrate(): Promise<string[]>;
  /** ping runs `select 1`; rejects when the database does not answer. */
  ping(): Promise<void>;
  /** serverVersion is PostgreSQL's `server_version`. */
  serverVersion(): Promise<string>;
  close(): Promise<void>;
}

/** openDatabase connects (without migrating) and checks the connection works. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const config = createOrmConfig({
    clientUrl: options.clientUrl,
    logger: options.logger,
    migrationsList: await loadMigrations(),
    ...(options.poolMax === undefined ? {} : { poolMax: options.poolMax }),
  });
  const orm = await MikroORM.init(config);
  const execute = async <T>(sql: string): Promise<T[]> => orm.em.getConnection().execute(sql);
  try {
    await execute('select 1');
  } catch (err) {
    await orm.close(true);
    throw new Error(`cannot reach PostgreSQL: ${(err as Error).message}`, { cause: err });
  }
  return {
    orm,
    fork: () => orm.em.fork(),
    async migrate() {
      const migrator = orm.getMigrator();
      const applied = await orm.em.fork().transactional(async (em) => {
        await em.execute(`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
        return migrator.up({ transaction: em.getTransactionContext() });
      });
      const names = applied.map((migration) => migration.name);
      options.logger.info(
        { applied: names.length, migrations: names },
        names.length ? 'database migrations applied' : 'database schema is up to date',
      );
      return names;
    },
    async ping() {
      await execute('select 1');
    },
    async serverVersion() {
      const [row] = await execute<{ server_version: string }>('show server_version');
      return row?.server_version ?? 'unknown';
    },
    async close() {
      await orm.close(true);
    },
  };
}
