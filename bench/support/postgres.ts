import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';

/** BenchPostgres is the embedded PostgreSQL a scenario runs its server against. */
export interface BenchPostgres {
  /** PostgreSQL's version, e.g. "18.4". */
  version: string;
  /** The postmaster's pid (its backends are its children). */
  pid: number;
  /** database creates an empty database and returns its URL and a small pool of the bench's own. */
  database(name: string): Promise<BenchDatabase>;
  /** stop closes every pool and deletes the cluster. */
  stop(): Promise<void>;
}

/** BenchDatabase is one database of the bench's PostgreSQL. */
export interface BenchDatabase {
  /** postgres:// URL (with the password: never print it). */
  url: string;
  /** The bench's own connections (polling the inventory, statistics, the floor insert). */
  pool: pg.Pool;
}

/**
 * startBenchPostgres starts a throwaway embedded PostgreSQL (no fsync, deleted on stop) in a
 * fresh temporary directory that the `postgres` OS user can traverse when the bench runs as root.
 */
export async function startBenchPostgres(): Promise<BenchPostgres> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pvesphere-bench-pg-'));
  await chmod(dataDir, 0o755);
  const server: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir, ephemeral: true });
  const pools: pg.Pool[] = [];
  return {
    version: server.version,
    pid: server.pid,
    async database(name) {
      await server.createDatabase(name);
      const url = server.connectionStringFor(name);
      const pool = new pg.Pool({ connectionString: url, max: 4 });
      // An idle connection ended by the server (at shutdown) must not crash the benchmark.
      pool.on('error', () => {});
      pools.push(pool);
      return { url, pool };
    },
    async stop() {
      await Promise.all(pools.map((pool) => pool.end()));
      await server.stop();
    },
  };
}
