import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { loadStoredInventory } from '../../src/inventory/inventory-loader.js';
import {
  closeSeededDatabase,
  openSeededDatabase,
  type SeededDatabase,
} from '../support/seeded-database.js';

let seeded: SeededDatabase;
let db: Database;
let clusterId: number;

beforeAll(async () => {
  seeded = await openSeededDatabase({ clusters: 1, nodes: 3, guests: 20 });
  ({ db } = seeded);
  clusterId = seeded.clusterIds[0]!;
});

afterAll(() => closeSeededDatabase(seeded));

describe('loadStoredInventory', () => {
  it('reads a cluster on one connection without queueing statements on it (no warning)', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const stored = await loadStoredInventory(db, clusterId);
      expect(stored.nodes).toHaveLength(3);
      expect(stored.guests).toHaveLength(20);
      expect(stored.storages.length).toBeGreaterThan(0);
      // Addresses come with their guest (running guests of the fixture have at least one).
      expect(stored.guests.some((g) => g.details.ipAddresses.length > 0)).toBe(true);
      // Emitted on the next tick, if at all.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.message)).toEqual([]);
  });
});
