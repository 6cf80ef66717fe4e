import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { loadMigrations } from '../../src/db/migrations-list.js';
import { createOrmConfig } from '../../src/db/mikro-orm.config.js';
import { testLogger } from '../support/capture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

describe('migrations and entities', () => {
  it('leave nothing to change: the migrated schema is exactly what the entities describe', async () => {
    const orm = await MikroORM.init(createOrmConfig({ clientUrl: db.url, logger: testLogger() }));
    try {
      const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
      expect(
        diff.trim(),
        'entities changed without a migration: run npm run migration:create',
      ).toBe('');
    } finally {
      await orm.close(true);
    }
  });

  it('agree with the committed snapshot that migration:create diffs against', async () => {
    const orm = await MikroORM.init(
      createOrmConfig({ clientUrl: db.url, logger: testLogger(), snapshot: true }),
    );
    try {
      const needed = await orm.getMigrator().checkMigrationNeeded();
      expect(needed, 'migrations/.snapshot.json is stale: run npm run migration:create').toBe(
        false,
      );
    } finally {
      await orm.close(true);
    }
  });

  it('are applied once: a second migrate() applies nothing', async () => {
    const database = await openDatabase({ clientUrl: db.url, logger: testLogger() });
    try {
      expect(await database.migrate()).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it('apply to an empty database from scratch, concurrently from two replicas', async () => {
    const empty = await createEmptyDatabase();
    try {
      const [a, b] = await Promise.all([
        openDatabase({ clientUrl: empty.url, logger: testLogger() }),
        openDatabase({ clientUrl: empty.url, logger: testLogger() }),
      ]);
      const applied = await Promise.all([a.migrate(), b.migrate()]);
      await Promise.all([a.close(), b.close()]);
      const all = (await loadMigrations()).map((m) => m.name);
      // One replica applied everything, the other found nothing left to do.
      expect(applied.map((names) => names.length).sort()).toEqual([0, all.length]);
      const tables = await empty.query<{ table_name: string }>(
        `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining([
          'inventory_event',
          'pve_cluster',
          'pve_node',
          'pve_storage',
          'pve_vm',
          'vm_ipaddress',
          'vm_template',
        ]),
      );
    } finally {
      await empty.drop();
    }
  });
});

/** A database with no tables at all: the template's migrations table and tables dropped. */
async function createEmptyDatabase(): Promise<TestDatabase> {
  const empty = await createTestDatabase();
  await empty.query('drop schema public cascade');
  await empty.query('create schema public');
  return empty;
}
