import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.js';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { createLogger } from '../../src/lib/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin connection string of the test PostgreSQL server (database `postgres`). */
    pgAdminUrl: string;
    /** Name of the migrated template database each test file copies. */
    pgTemplate: string;
    /** PostgreSQL server version. */
    pgVersion: string;
  }
}

/** The migrated template every test database is created from. */
export const TEMPLATE_DATABASE = 'pvesphere_template';

/**
 * The vitest global setup: one embedded PostgreSQL for the whole run (or the server of
 * PVESPHERE_TEST_DATABASE_URL), and a template database migrated once, which every test file
 * copies (graphile/worker's pattern). Also makes sure there is a capture directory.
 */
export default async function setup(project: TestProject) {
  let captureRoot = process.env.PVESPHERE_TEST_CAPTURE_DIR;
  if (!captureRoot) {
    captureRoot = mkdtempSync(join(tmpdir(), 'pvesphere-capture-'));
    process.env.PVESPHERE_TEST_CAPTURE_DIR = captureRoot;
  }
  mkdirSync(join(captureRoot, 'logs'), { recursive: true });
  const logger = createLogger({
    level: 'debug',
    base: { worker: 'global-setup' },
    destination: pino.destination({
      dest: join(captureRoot, 'logs', 'global-setup.ndjson'),
      sync: true,
      append: true,
    }),
  });

  const external = process.env.PVESPHERE_TEST_DATABASE_URL;
  const embedded = external
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: traversableTempDir('pvesphere-test-pg-'),
        ephemeral: true,
        logger,
        database: TEMPLATE_DATABASE,
      });
  const adminUrl = external ?? embedded!.connectionStringFor('postgres');
  const templateUrl = external
    ? withDatabase(external, TEMPLATE_DATABASE)
    : embedded!.connectionString;
  if (external) await recreateDatabase(external, TEMPLATE_DATABASE);

  const db = await openDatabase({ clientUrl: templateUrl, logger, poolMax: 2 });
  await db.migrate();
  const version = await db.serverVersion();
  await db.close();

  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', TEMPLATE_DATABASE);
  project.provide('pgVersion', version);

  return async () => {
    await embedded?.stop();
  };
}

/** traversableTempDir makes a temp dir the `postgres` OS user can enter (mkdtemp makes 0700). */
function traversableTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** withDatabase replaces the database of a postgres:// URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function recreateDatabase(adminUrl: string, name: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: withDatabase(adminUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}
