import { createOrmConfig } from './mikro-orm.config.js';

/**
 * The configuration the MikroORM CLI loads (package.json `mikro-orm.configPaths`), used to create
 * migrations: `npm run migration:create`. Migrations are diffed against the committed
 * `migrations/.snapshot.json`, so no database needs to run; `DATABASE_URL` is only read to name
 * one when a CLI command does need it. Apply migrations with `npm run migration:up`, which
 * starts the embedded database when there is no `DATABASE_URL`.
 */
export default createOrmConfig({
  // biome-ignore lint/style/noProcessEnv: the CLI entry point reads its own environment
  clientUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/pvesphere',
  snapshot: true,
});
