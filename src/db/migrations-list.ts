import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MigrationObject } from '@mikro-orm/core';
import { MIGRATIONS_DIR } from './mikro-orm.config.js';

/** A migration class as the MikroORM migrator takes it in `migrationsList`. */
export type MigrationEntry = MigrationObject;

const MIGRATION_FILE = /^Migration\d{14}_?\w*\.(ts|js)$/;

/**
 * loadMigrations imports every migration in `migrations/` itself, in name order, for the
 * migrator's `migrationsList`. Importing them here, instead of letting the migrator import files
 * from a glob, means they load through whatever loader runs pvesphere (tsx, vitest's transform),
 * so `.ts` migrations work in every entry point without extra loader flags.
 */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<MigrationEntry[]> {
  const files = (await readdir(dir)).filter((file) => MIGRATION_FILE.test(file)).sort();
  const entries: MigrationEntry[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(dir, file)).href)) as Record<string, unknown>;
    const name = file.replace(/\.(ts|js)$/, '');
    const migration = module[name];
    if (typeof migration !== 'function') {
      throw new Error(`migration file ${file} does not export a class named ${name}`);
    }
    entries.push({ name, class: migration as MigrationEntry['class'] });
  }
  return entries;
}
