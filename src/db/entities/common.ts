import { p } from '@mikro-orm/core';

/**
 * Flag columns the original project defined (`is_enabled`, `is_template`, `shared`, …) are
 * `smallint` 0/1, so its documented SQL (`SET is_enabled = 0`) keeps working; a CHECK keeps them
 * to 0 and 1. Columns pvesphere adds use `boolean`.
 */
export const flag = () => p.smallint();

/** flagCheck is the CHECK expression that keeps a 0/1 flag column honest. */
export const flagCheck = (column: string) => `${column} = any (array[0, 1])`;

/** Byte counts are `bigint` (the original stored MB in int); read into JS numbers (safe to 8 PiB). */
export const bytes = () => p.bigint('number');

/** timestamps are the `created_at` / `updated_at` pair every table carries, set by the database. */
export const timestamps = () => ({
  createdAt: p.datetime().defaultRaw('now()'),
  updatedAt: p
    .datetime()
    .defaultRaw('now()')
    .onUpdate(() => new Date()),
});

/** inventoryTracking is how an inventory row remembers what it was synced from (DESIGN §4). */
export const inventoryTracking = () => ({
  /** Content hash of the inventory fields: a restart compares hashes, not re-derived values. */
  resourceHash: p.string().length(64),
  /** When the row last matched PVE (the original's `last_sync_time`). */
  lastSyncTime: p.datetime().defaultRaw('now()'),
  /** When the usage columns were last written (they are flushed in batches, DESIGN §4). */
  metricsUpdatedAt: p.datetime().nullable(),
});
