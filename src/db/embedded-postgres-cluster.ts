import { randomBytes } from 'node:crypto';
import { chmod, chown, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { coerceError } from '../lib/coerce-error.js';
import type { Logger } from '../lib/logger.js';
import { pathExists } from './data-dir.js';
import type { PostgresBinaries } from './embedded-postgres-binaries.js';
import { EmbeddedPostgresError } from './embedded-postgres-error.js';
import type { EmbeddedPostgresLayout } from './embedded-postgres-layout.js';
import { initdb, removeInitdbLeftovers } from './initdb.js';
import type { OsUser } from './postgres-os-user.js';

/**
 * ensureCluster runs initdb when the data directory has no cluster yet (no PG_VERSION) and checks
 * an existing one against the binaries. Resolves with initdb's duration, undefined when there was
 * a cluster already.
 */
export async function ensureCluster(
  layout: EmbeddedPostgresLayout,
  binaries: PostgresBinaries,
  runAs: OsUser | undefined,
  ephemeral: boolean,
  logger: Logger,
): Promise<number | undefined> {
  const binaryMajor = /^(\d+)\./.exec(binaries.packageVersion)?.[1];
  const versionFile = join(layout.pgdata, 'PG_VERSION');
  if (await pathExists(versionFile)) {
    const dataMajor = (await readFile(versionFile, 'utf8')).trim();
    if (binaryMajor && dataMajor !== binaryMajor) {
      throw new EmbeddedPostgresError(
        'EMBEDDED_PG_VERSION_MISMATCH',
        `the cluster ${layout.pgdata} was created by PostgreSQL ${dataMajor}, but the embedded binaries are ` +
          `PostgreSQL ${binaryMajor}: upgrade it with pg_upgrade, or move it away to start with an empty database`,
      );
    }
    return undefined;
  }
  if (await pathExists(layout.pgdata)) {
    if ((await readdir(layout.pgdata)).length > 0) {
      throw new EmbeddedPostgresError(
        'EMBEDDED_PG_DATA_DIR_UNUSABLE',
        `${layout.pgdata} exists but holds no PostgreSQL cluster (no PG_VERSION): move it away or delete it, then start again`,
      );
    }
    await rmdir(layout.pgdata);
  }
  await removeInitdbLeftovers(layout.pgdata);
  await writeFile(layout.passwordFile, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  await chmod(layout.passwordFile, 0o600);
  if (runAs) await chown(layout.passwordFile, runAs.uid, runAs.gid);
  try {
    const ms = await initdb({
      initdb: binaries.initdb,
      pgdata: layout.pgdata,
      passwordFile: layout.passwordFile,
      user: runAs,
      sync: !ephemeral,
    });
    logger.info({ pgdata: layout.pgdata, ms: Math.round(ms) }, 'embedded postgres initialised');
    return ms;
  } catch (err) {
    const error = coerceError(err);
    throw new EmbeddedPostgresError(
      'EMBEDDED_PG_INITDB_FAILED',
      `creating the PostgreSQL cluster in ${layout.pgdata} failed (${error.message}): fix that and ` +
        'start again, or set DATABASE_URL to use an external PostgreSQL',
      { cause: error },
    );
  }
}

/**
 * readPassword returns the superuser's password from the layout's password file; fails with
 * EMBEDDED_PG_DATA_DIR_UNUSABLE when it is missing (the cluster cannot be opened without it).
 */
export async function readPassword(layout: EmbeddedPostgresLayout): Promise<string> {
  try {
    const password = (await readFile(layout.passwordFile, 'utf8')).trim();
    if (password) return password;
  } catch (err) {
    const error = coerceError(err);
    if (error.code !== 'ENOENT') throw error;
  }
  throw new EmbeddedPostgresError(
    'EMBEDDED_PG_DATA_DIR_UNUSABLE',
    `the superuser password file ${layout.passwordFile} is missing or empty, so the cluster in ` +
      `${layout.pgdata} cannot be opened: restore the file, or move ${layout.pgdata} away to start with an empty database`,
  );
}
