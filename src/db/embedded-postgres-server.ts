import { rm } from 'node:fs/promises';
import { Client } from 'pg';
import { coerceError } from '../lib/coerce-error.js';
import type { Logger } from '../lib/logger.js';
import { createDatabaseIfMissing } from './create-database.js';
import type { DataDirClaim } from './data-dir-claim.js';
import type { EmbeddedPostgres } from './embedded-postgres.js';
import { EmbeddedPostgresError } from './embedded-postgres-error.js';
import { SUPERUSER } from './initdb.js';
import { stopPostmaster } from './postmaster-process.js';

/** EMBEDDED_PG_HOST is the only address the embedded server listens on (no unix socket either). */
export const EMBEDDED_PG_HOST = '127.0.0.1';

/** adminConnection is how pvesphere itself connects to the embedded server: superuser, database `postgres`. */
export function adminConnection(port: number, password: string) {
  return { host: EMBEDDED_PG_HOST, port, user: SUPERUSER, password, database: 'postgres' };
}

/** EmbeddedPostgresServerState is what a started server needs to serve and stop. */
export interface EmbeddedPostgresServerState {
  dataDir: string;
  port: number;
  pid: number;
  version: string;
  password: string;
  database: string;
  ephemeral: boolean;
  stopTimeoutMs: number;
  claim: DataDirClaim;
  logger: Logger;
}

/**
 * EmbeddedPostgresServer is the running server. The password lives in a private field and the
 * connection strings are getters, so logging the object itself reveals no secret.
 */
export class EmbeddedPostgresServer implements EmbeddedPostgres {
  readonly #state: EmbeddedPostgresServerState;
  #stopping: Promise<void> | undefined;
  /** Begins a fast shutdown if this process exits without stop() (a crash, process.exit()). */
  readonly #onExit = () => {
    try {
      process.kill(this.#state.pid, 'SIGINT');
    } catch (err) {
      coerceError(err); // Already gone.
    }
  };

  constructor(state: EmbeddedPostgresServerState) {
    this.#state = state;
    process.on('exit', this.#onExit);
  }

  get connectionString(): string {
    return this.connectionStringFor(this.#state.database);
  }

  get port(): number {
    return this.#state.port;
  }

  get version(): string {
    return this.#state.version;
  }

  get dataDir(): string {
    return this.#state.dataDir;
  }

  get pid(): number {
    return this.#state.pid;
  }

  connectionStringFor(database: string): string {
    const { password, port } = this.#state;
    return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@${EMBEDDED_PG_HOST}:${port}/${encodeURIComponent(database)}`;
  }

  async createDatabase(name: string, options: { template?: string } = {}): Promise<void> {
    if (this.#stopping) {
      throw new EmbeddedPostgresError(
        'EMBEDDED_PG_CREATE_DATABASE_FAILED',
        `cannot create database "${name}": the embedded PostgreSQL in ${this.#state.dataDir} has been stopped`,
      );
    }
    const client = new Client(adminConnection(this.#state.port, this.#state.password));
    try {
      await client.connect();
      await createDatabaseIfMissing(client, name, options);
    } catch (err) {
      const error = coerceError(err);
      const from = options.template ? ` from template "${options.template}"` : '';
      const hint =
        error.code === '55006'
          ? ': close every connection to the template first'
          : error.code === '3D000'
            ? ': create the template database first'
            : '';
      throw new EmbeddedPostgresError(
        'EMBEDDED_PG_CREATE_DATABASE_FAILED',
        `creating database "${name}"${from} in the embedded PostgreSQL failed: ${error.message}${hint}`,
        { cause: error },
      );
    } finally {
      await client.end().catch(coerceError);
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const { pid, dataDir, stopTimeoutMs, claim, ephemeral, logger } = this.#state;
    const started = performance.now();
    process.off('exit', this.#onExit);
    let how: Awaited<ReturnType<typeof stopPostmaster>>;
    try {
      how = await stopPostmaster(pid, stopTimeoutMs);
    } catch (err) {
      const error = coerceError(err);
      await claim.release();
      throw new EmbeddedPostgresError(
        'EMBEDDED_PG_STOP_FAILED',
        `stopping the embedded PostgreSQL (pid ${pid}, data directory ${dataDir}) failed: ${error.message}; ` +
          'stop it by hand (kill -QUIT) before starting pvesphere again',
        { cause: error },
      );
    }
    await claim.release();
    if (ephemeral) await rm(dataDir, { recursive: true, force: true });
    if (how === 'immediate') {
      logger.warn(
        { dataDir, pid, stopTimeoutMs },
        'embedded postgres needed an immediate shutdown: fast shutdown took too long',
      );
    }
    logger.info(
      { dataDir, pid, ms: Math.round(performance.now() - started), removed: ephemeral },
      'embedded postgres stopped',
    );
  }
}
