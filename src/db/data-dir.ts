import { chmod, mkdir, realpath, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join, parse, resolve } from 'node:path';
import { coerceError } from '../lib/coerce-error.js';
import type { OsUser } from './postgres-os-user.js';

/** ROOT_DATA_DIR is where pvesphere keeps its data when it runs as root. */
export const ROOT_DATA_DIR = '/var/lib/pvesphere';

/**
 * defaultDataDir is the data directory when `PVESPHERE_DATA_DIR` is unset: `/var/lib/pvesphere`
 * for root (uid 0), else `$XDG_DATA_HOME/pvesphere`, where an unset or relative `XDG_DATA_HOME`
 * means `$HOME/.local/share` (the XDG base directory rules). It only computes the path: the
 * embedded PostgreSQL creates it (0755) on start. `env` is passed in because only src/config.ts
 * reads `process.env`.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv, uid: number): string {
  if (uid === 0) return ROOT_DATA_DIR;
  const xdg = env.XDG_DATA_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'pvesphere');
  const home = env.HOME && isAbsolute(env.HOME) ? env.HOME : userInfo().homedir;
  return join(home, '.local', 'share', 'pvesphere');
}

/**
 * ensureDirectory creates `dir` and any missing parents, giving each directory it creates exactly
 * `mode` (a umask such as 077 would otherwise make them unreachable for the PostgreSQL user).
 * Existing directories are left as they are.
 */
export async function ensureDirectory(dir: string, mode: number): Promise<void> {
  const missing: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (await isDirectory(current)) break;
    missing.unshift(current);
    if (current === parse(current).root) break;
  }
  for (const path of missing) {
    try {
      await mkdir(path, { mode });
    } catch (err) {
      const error = coerceError(err);
      if (error.code !== 'EEXIST') throw error;
      continue; // Created by someone else meanwhile: theirs, leave its mode alone.
    }
    await chmod(path, mode);
  }
}

/**
 * UnsearchableDirectory is a directory `user` may not enter, with the facts that show why.
 */
export interface UnsearchableDirectory {
  path: string;
  mode: number;
  uid: number;
  gid: number;
}

/**
 * findUnsearchableDirectory walks from the filesystem root down to `path` (itself included) and
 * returns the first directory that `user` lacks search (x) permission on, or undefined when it can
 * reach `path`. With symlinks on the way, the path as written and its real path are both walked,
 * as the kernel walks both. It reads the classic mode bits; ACLs are not consulted. A missing component ends
 * the walk (it will be created by its parent's owner).
 */
export async function findUnsearchableDirectory(
  path: string,
  user: OsUser,
): Promise<UnsearchableDirectory | undefined> {
  if (user.uid === 0) return undefined;
  const literal = resolve(path);
  const real = await realpathOrResolved(literal);
  return (
    (await firstUnsearchable(literal, user)) ??
    (real === literal ? undefined : await firstUnsearchable(real, user))
  );
}

async function firstUnsearchable(
  path: string,
  user: OsUser,
): Promise<UnsearchableDirectory | undefined> {
  const chain: string[] = [];
  for (let current = path; ; current = dirname(current)) {
    chain.unshift(current);
    if (current === parse(current).root) break;
  }
  for (const dir of chain) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(dir);
    } catch (err) {
      const error = coerceError(err);
      if (error.code === 'ENOENT') return undefined;
      throw error;
    }
    if (!info.isDirectory()) return undefined;
    const bit = info.uid === user.uid ? 0o100 : user.groups.includes(info.gid) ? 0o010 : 0o001;
    if ((info.mode & bit) === 0) {
      return { path: dir, mode: info.mode & 0o7777, uid: info.uid, gid: info.gid };
    }
  }
  return undefined;
}

/** describeUnsearchable renders an {@link UnsearchableDirectory} for an error message. */
export function describeUnsearchable(found: UnsearchableDirectory): string {
  return `${found.path} has mode ${found.mode.toString(8).padStart(4, '0')} (owner uid ${found.uid}, group gid ${found.gid})`;
}

async function realpathOrResolved(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (err) {
    const error = coerceError(err);
    if (error.code === 'ENOENT') return resolve(path);
    throw error;
  }
}

/** pathExists tells whether anything exists at `path` (a dangling symlink does not count). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    const error = coerceError(err);
    if (error.code === 'ENOENT') return false;
    throw error;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    const error = coerceError(err);
    if (error.code === 'ENOENT') return false;
    throw error;
  }
}
