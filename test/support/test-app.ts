import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppServices, createApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { SECRET_KEY_FILE } from '../../src/db/secret-key.js';
import { registerSecret, testLogger } from './capture.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** TestApp is a running pvesphere on a free port with a database of its own. */
export interface TestApp {
  /** The GraphQL endpoint, http://127.0.0.1:<port>/graphql. */
  url: string;
  /** The server's origin, http://127.0.0.1:<port>. */
  origin: string;
  config: Config;
  services: AppServices;
  db: TestDatabase;
  stop(): Promise<void>;
}

/** TestAppOptions adjust the environment the app is configured from. */
export interface TestAppOptions {
  /** Extra environment variables (validated by loadConfig like real ones). */
  env?: Record<string, string>;
  /** Reuse a database (for restart tests); dropped by stop() only when created here. */
  db?: TestDatabase;
  /** Reuse a data directory (for the key file); removed by stop() only when created here. */
  dataDir?: string;
}

/**
 * startTestApp starts the real application (config, database, migrations, GraphQL server) as
 * `npm start` would, with logs captured for the secret check. Each call gets its own database
 * copied from the migrated template unless one is passed.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'pvesphere-app-'));
  const config = loadConfig({
    PORT: '0',
    DATABASE_URL: db.url,
    PVESPHERE_DATA_DIR: dataDir,
    LOG_LEVEL: 'debug',
    // Tests that exercise syncing turn it on; the others test the API without it.
    PVESPHERE_SYNC: 'false',
    ...options.env,
  });
  const app = createApp(config, testLogger({ app: db.name }));
  const { url, port, services } = await app.start();
  const keyFile = join(dataDir, SECRET_KEY_FILE);
  if (existsSync(keyFile)) registerSecret(readFileSync(keyFile, 'utf8').trim());
  if (config.adminToken) registerSecret(config.adminToken);
  if (config.readToken) registerSecret(config.readToken);
  return {
    url,
    origin: `http://127.0.0.1:${port}`,
    config,
    services,
    db,
    async stop() {
      await app.stop();
      if (!options.db) await db.drop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
