import { userInfo } from 'node:os';
import { pathExists } from './data-dir.js';
import { EmbeddedPostgresError } from './embedded-postgres-error.js';
import { runCommand } from './run-command.js';

/** OsUser is the operating-system account that runs initdb and postgres. */
export interface OsUser {
  name: string;
  uid: number;
  gid: number;
  /** Every group the account is in, its primary group included. */
  groups: number[];
}

/** DEFAULT_POSTGRES_OS_USER is the account PostgreSQL runs as when pvesphere runs as root. */
export const DEFAULT_POSTGRES_OS_USER = 'postgres';

/**
 * currentOsUser describes the account this process runs as (used as non-root: PostgreSQL then runs
 * as that same account).
 */
export function currentOsUser(): OsUser {
  const uid = process.getuid?.() ?? -1;
  const gid = process.getgid?.() ?? -1;
  let name = String(uid);
  try {
    name = userInfo().username;
  } catch {
    // An account without a passwd entry (a container run with an arbitrary uid) has no name.
  }
  return { name, uid, gid, groups: process.getgroups?.() ?? [gid] };
}

/**
 * lookupOsUser returns the account called `name`, or undefined when there is none. It asks `id`,
 * so accounts from NSS (LDAP, …) count as well as those in /etc/passwd.
 */
export async function lookupOsUser(name: string): Promise<OsUser | undefined> {
  const [uid, gid, groups] = await Promise.all([
    runCommand('id', ['-u', name]),
    runCommand('id', ['-g', name]),
    runCommand('id', ['-G', name]),
  ]);
  if (uid.code !== 0 || gid.code !== 0 || groups.code !== 0) return undefined;
  return {
    name,
    uid: Number(uid.stdout.trim()),
    gid: Number(gid.stdout.trim()),
    groups: groups.stdout.trim().split(/\s+/).map(Number),
  };
}

/**
 * ensureOsUser returns the account called `name`, creating it first when it is missing: a system
 * account with its own group, no home directory and no login shell (the same account Debian's
 * postgresql package would create). Must run as root. Fails with
 * EMBEDDED_PG_OS_USER_UNAVAILABLE, saying how to create the account by hand.
 */
export async function ensureOsUser(name: string): Promise<OsUser> {
  const existing = await lookupOsUser(name);
  if (existing) return existing;
  const shell = (await pathExists('/usr/sbin/nologin')) ? '/usr/sbin/nologin' : '/bin/false';
  const base = ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', shell];
  let result = await runCommand('useradd', [...base, '--user-group', name]);
  // A group of that name may already exist without the user: join it instead of creating it.
  if (result.code !== 0) result = await runCommand('useradd', [...base, '--gid', name, name]);
  const created = await lookupOsUser(name);
  if (created) return created;
  const detail = (result.stderr || result.error?.message || '').trim();
  throw new EmbeddedPostgresError(
    'EMBEDDED_PG_OS_USER_UNAVAILABLE',
    `PostgreSQL cannot run as root and the OS user "${name}" does not exist and could not be created` +
      `${detail ? ` (useradd: ${detail})` : ''}: create it (useradd --system --user-group ${name}) ` +
      'or run pvesphere as a non-root user',
  );
}
