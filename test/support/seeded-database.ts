import { type Database, openDatabase } from '../../src/db/database.js';
import { testLogger } from './capture.js';
import { type InventoryShape, seedInventory } from './inventory-fixture.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** SeededDatabase is a test database holding a seeded inventory, opened as the server opens it. */
export interface SeededDatabase {
  testDb: TestDatabase;
  db: Database;
  /** The seeded clusters' ids, ascending. */
  clusterIds: number[];
}

/** openSeededDatabase creates a database, seeds it with `shape` and opens it. */
export async function openSeededDatabase(shape: InventoryShape): Promise<SeededDatabase> {
  const testDb = await createTestDatabase();
  const db = await openDatabase({ clientUrl: testDb.url, logger: testLogger() });
  const { clusterIds } = await seedInventory(testDb, shape);
  return { testDb, db, clusterIds };
}

/** closeSeededDatabase closes and drops what openSeededDatabase made (a no-op for undefined). */
export async function closeSeededDatabase(seeded: SeededDatabase | undefined): Promise<void> {
  await seeded?.db.close();
  await seeded?.testDb.drop();
}
