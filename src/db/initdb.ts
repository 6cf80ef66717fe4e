import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { OsUser } from './postgres-os-user.js';
import { runCommand } from './run-command.js';

/** SUPERUSER is the name of the cluster's superuser role. */
export const SUPERUSER = 'postgres';

/** InitdbOptions describe one cluster creation. */
export interface InitdbOptions {
  /** The `initdb` executable. */
  initdb: string;
  /** Where the cluster goes; must not exist yet. */
  pgdata: string;
  /** A file holding the superuser's password, readable by `user`. */
  passwordFile: string;
  /** Run as this user; undefined = as this process's user. */
  user: OsUser | undefined;
  /** fsync the new files (skip for throw-away clusters). */
  sync: boolean;
}

/**
 * initdb creates a cluster at `pgdata`: superuser `postgres` with password authentication
 * (scram-sha-256) for every connection, UTF-8, PostgreSQL's built-in C.UTF-8 locale (the same
 * behaviour on every machine, no OS locales needed). The cluster is built in a sibling directory
 * and renamed into place, so `pgdata` either holds a complete cluster or does not exist; leftovers
 * of an interrupted run are removed by {@link removeInitdbLeftovers}. Resolves with the duration in
 * milliseconds; throws with initdb's own output when it fails.
 */
export async function initdb(options: InitdbOptions): Promise<number> {
  const started = performance.now();
  const staging = `${options.pgdata}.init-${process.pid}-${randomBytes(3).toString('hex')}`;
  // Made here rather than by initdb: its parent may belong to root while initdb runs as `user`.
  await mkdir(staging, { mode: 0o700 });
  await chmod(staging, 0o700);
  if (options.user) await chown(staging, options.user.uid, options.user.gid);
  const result = await runCommand(
    options.initdb,
    [
      `--pgdata=${staging}`,
      `--username=${SUPERUSER}`,
      '--auth=scram-sha-256',
      `--pwfile=${options.passwordFile}`,
      '--encoding=UTF8',
      '--locale=C',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--no-instructions',
      ...(options.sync ? [] : ['--no-sync']),
    ],
    {
      cwd: dirname(staging),
      env: { LC_ALL: 'C' },
      ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    },
  );
  if (result.code !== 0) {
    await rm(staging, { recursive: true, force: true });
    if (result.error) throw new Error(`could not run ${options.initdb}: ${result.error.message}`);
    const how = result.signal
      ? `was killed by ${result.signal}`
      : `exited with code ${result.code}`;
    throw new Error(`initdb ${how}: ${lastLines(`${result.stderr}\n${result.stdout}`.trim())}`);
  }
  await rename(staging, options.pgdata);
  return performance.now() - started;
}

/** removeInitdbLeftovers deletes staging directories an interrupted {@link initdb} left next to `pgdata`. */
export async function removeInitdbLeftovers(pgdata: string): Promise<void> {
  const prefix = `${basename(pgdata)}.init-`;
  for (const entry of await readdir(dirname(pgdata))) {
    if (entry.startsWith(prefix))
      await rm(join(dirname(pgdata), entry), { recursive: true, force: true });
  }
}

function lastLines(text: string): string {
  return text.split('\n').slice(-8).join(' | ').slice(-1500);
}
