import { randomBytes } from 'node:crypto';
import {
  chmod,
  copyFile,
  link,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { coerceError } from '../lib/coerce-error.js';
import type { Logger } from '../lib/logger.js';
import { describeUnsearchable, findUnsearchableDirectory, pathExists } from './data-dir.js';
import { EmbeddedPostgresError } from './embedded-postgres-error.js';
import type { OsUser } from './postgres-os-user.js';

/**
 * PostgresBinaries is a PostgreSQL installation tree as the `@embedded-postgres/<platform>-<arch>`
 * packages ship it: `bin/` (initdb, pg_ctl, postgres), `lib/` and `share/`. The programs find
 * `lib` and `share` relative to their own location, so a copy of the whole tree works anywhere.
 */
export interface PostgresBinaries {
  /** The directory holding `bin/`, `lib/` and `share/`. */
  nativeDir: string;
  initdb: string;
  postgres: string;
  /** The binary package's version, e.g. `18.4.0-beta.17`; names copies of the tree. */
  packageVersion: string;
}

/** binariesIn describes the installation tree at `nativeDir`. */
function binariesIn(nativeDir: string, packageVersion: string): PostgresBinaries {
  return {
    nativeDir,
    initdb: join(nativeDir, 'bin', 'initdb'),
    postgres: join(nativeDir, 'bin', 'postgres'),
    packageVersion,
  };
}

/**
 * locatePackageBinaries finds the tree of the installed `@embedded-postgres/<platform>-<arch>`
 * package (the embedded-postgres package is only used as this binary source: its wrapper is not
 * loaded, so none of its exit hooks run). The version comes from the package's package.json.
 */
export async function locatePackageBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let nativeDir: string;
  try {
    const module: { postgres?: unknown } = await import(name);
    if (typeof module.postgres !== 'string') throw new Error(`${name} exports no postgres path`);
    nativeDir = dirname(dirname(module.postgres));
    await stat(module.postgres);
  } catch (err) {
    const error = coerceError(err);
    throw new EmbeddedPostgresError(
      'EMBEDDED_PG_BINARIES_UNAVAILABLE',
      `the PostgreSQL binaries for ${process.platform}-${process.arch} (package ${name}) could not be loaded ` +
        `(${error.message}): run npm install, or set DATABASE_URL to use an external PostgreSQL`,
      { cause: error },
    );
  }
  return binariesAt(nativeDir);
}

/**
 * binariesAt describes the tree at `nativeDir`, taking the version from the package.json next to
 * it (`unknown` when there is none).
 */
export async function binariesAt(nativeDir: string): Promise<PostgresBinaries> {
  return binariesIn(nativeDir, await readPackageVersion(nativeDir));
}

async function readPackageVersion(nativeDir: string): Promise<string> {
  try {
    const manifest: { version?: unknown } = JSON.parse(
      await readFile(join(nativeDir, '..', 'package.json'), 'utf8'),
    );
    if (typeof manifest.version === 'string' && /^[\w.+-]+$/.test(manifest.version)) {
      return manifest.version;
    }
  } catch (err) {
    coerceError(err);
  }
  return 'unknown';
}

/** ReachableBinariesOptions configures {@link ensureReachableBinaries}. */
export interface ReachableBinariesOptions {
  /** The user that runs initdb and postgres. */
  user: OsUser;
  /**
   * A directory `user` can reach and this process can write, where a copy of the tree is kept when
   * `user` cannot reach the original (the copy is `<cacheDir>/bin-<packageVersion>`).
   */
  cacheDir: string;
  logger: Logger;
}

/**
 * ensureReachableBinaries returns binaries that `user` can execute. When it is this process's own
 * user, or when every directory down to the tree is searchable by `user`, that is `binaries`
 * itself. Otherwise (typically a checkout inside root's 0700 home while PostgreSQL runs as
 * `postgres`) the tree is copied once into `<cacheDir>/bin-<packageVersion>`, hard-linking files
 * where the filesystem allows (instant, no extra space) and copying them where it does not. The
 * copy is assembled under a temporary name and renamed into place, so a copy that exists is
 * complete; copies of other versions are removed then. The caller must own `cacheDir` (hold the
 * data directory's claim).
 */
export async function ensureReachableBinaries(
  binaries: PostgresBinaries,
  options: ReachableBinariesOptions,
): Promise<PostgresBinaries> {
  if (options.user.uid === process.getuid?.()) return binaries;
  let blocked: string | undefined;
  for (const dir of ['bin', 'lib', 'share']) {
    const found = await findUnsearchableDirectory(join(binaries.nativeDir, dir), options.user);
    if (found) {
      blocked = describeUnsearchable(found);
      break;
    }
  }
  if (!blocked) return binaries;

  const target = join(options.cacheDir, `bin-${binaries.packageVersion}`);
  if (!(await pathExists(join(target, 'bin', 'postgres')))) {
    const started = performance.now();
    const staging = `${target}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
    try {
      await copyTree(binaries.nativeDir, staging);
      await rename(staging, target);
    } catch (err) {
      const error = coerceError(err);
      await rm(staging, { recursive: true, force: true });
      // Another process finishing the same copy first is fine; anything else is not.
      if (!(await pathExists(join(target, 'bin', 'postgres')))) {
        throw new EmbeddedPostgresError(
          'EMBEDDED_PG_BINARIES_UNAVAILABLE',
          `the PostgreSQL binaries at ${binaries.nativeDir} are not reachable by OS user ${options.user.name} ` +
            `(${blocked}) and copying them to ${target} failed (${error.message}): ` +
            `make ${target} writable, or install pvesphere outside a private directory`,
          { cause: error },
        );
      }
    }
    await removeOtherCopies(options.cacheDir, target);
    options.logger.info(
      { from: binaries.nativeDir, to: target, ms: Math.round(performance.now() - started) },
      `postgres binaries copied: ${blocked}, so OS user ${options.user.name} cannot run them in place`,
    );
  }
  return binariesIn(target, binaries.packageVersion);
}

/**
 * removeOtherCopies deletes copies of other versions, and staging directories of interrupted
 * copies, next to `keep` (the caller owns the data directory, so none is in use).
 */
async function removeOtherCopies(cacheDir: string, keep: string): Promise<void> {
  for (const entry of await readdir(cacheDir)) {
    const path = join(cacheDir, entry);
    if (entry.startsWith('bin-') && path !== keep) await rm(path, { recursive: true, force: true });
  }
}

/**
 * copyTree reproduces `source` at `target` (which must not exist): directories 0755, symlinks as
 * symlinks, files hard-linked or, across filesystems or where linking is refused, copied with
 * their mode.
 */
async function copyTree(source: string, target: string): Promise<void> {
  await mkdir(target);
  await chmod(target, 0o755);
  for (const entry of await readdir(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isDirectory()) {
      await copyTree(from, to);
    } else if (entry.isSymbolicLink()) {
      await symlink(await readlink(from), to);
    } else if (entry.isFile()) {
      try {
        await link(from, to);
      } catch (err) {
        const error = coerceError(err);
        if (error.code !== 'EXDEV' && error.code !== 'EPERM') throw error;
        await copyFile(from, to);
      }
    }
  }
}
