import { type EntityManager, MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
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
  /** fork returns a fresh entity manager for one unit of work (a request). */
  fork(): EntityManager;
  /**
   * pool is a plain node-postgres pool for the hot paths that need PostgreSQL itself rather than
   * the ORM: batched inventory writes with array parameters (`unnest($1::int[])`), the event
   * log, read queries of the inventory API.
   */
  readonly pool: pg.Pool;
  /**
   * transaction runs `fn` in one transaction on a pool client: committed when it resolves,
   * rolled back when it throws.
   */
  transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
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
  const pool = new pg.Pool({
    connectionString: options.clientUrl,
    max: options.poolMax ?? 10,
    application_name: 'pvesphere',
  });
  // An idle client's error (the server restarted) must not crash the process: the pool drops it.
  pool.on('error', (err) => options.logger.warn({ err }, 'idle database connection failed'));
  return {
    orm,
    pool,
    fork: () => orm.em.fork(),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn(client);
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async migrate() {
      const migrator = orm.getMigrator();
      // The connection's transaction, not em.transactional, which runs an AsyncLocalStorage:
      // on Node 20 that installs promise hooks for the process's life (see ClusterStore#unique).
      const connection = orm.em.getConnection();
      const applied = await connection.transactional(async (trx) => {
        await connection.execute(
          `select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`,
          [],
          'all',
          trx,
        );
        return migrator.up({ transaction: trx });
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
      await Promise.all([orm.close(true), pool.end()]);
    },
  };
}
