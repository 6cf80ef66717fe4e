/**
 * A throwaway PostgreSQL 15 server from Debian's `postgresql-15` package, for running pvesphere
 * against an external database through DATABASE_URL: initdb into a temporary directory (as OS
 * user `postgres` when the tests run as root), password authentication on 127.0.0.1 only, a
 * free port, started and stopped with pg_ctl.
 */
import { randomBytes } from 'node:crypto';
import { access, chown, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { ensureOsUser, type OsUser } from '../../src/db/postgres-os-user.js';
import { runCommand } from '../../src/db/run-command.js';
import { findFreePort } from '../../src/db/tcp-port.js';
import { captureOutput, registerSecret } from './capture.js';
import { makeDataDir } from './process-server.js';

/** POSTGRES15_BIN is where Debian's postgresql-15 package installs the server programs. */
export const POSTGRES15_BIN = '/usr/lib/postgresql/15/bin';

/** INSTALL_HINT is the command that installs them (checked on Debian 12 bookworm). */
export const POSTGRES15_INSTALL_HINT = 'apt-get install -y postgresql-15';

/** Postgres15 is a running throwaway PostgreSQL 15 server. */
export interface Postgres15 {
  /** postgres://postgres:<password>@127.0.0.1:<port>/<database>: contains the password. */
  urlFor(database: string): string;
  port: number;
  /** `server_version`, e.g. "15.18 (Debian 15.18-0+deb12u1)". */
  version: string;
  /** createDatabase creates an empty database. */
  createDatabase(name: string): Promise<void>;
  /** stop shuts the server down (fast) and deletes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

async function requireBinaries(): Promise<void> {
  for (const program of ['initdb', 'pg_ctl', 'postgres']) {
    try {
      await access(join(POSTGRES15_BIN, program));
    } catch {
      throw new Error(
        `PostgreSQL 15 is not installed (${join(POSTGRES15_BIN, program)} is missing): the external-database tests need Debian's server package; install it with: ${POSTGRES15_INSTALL_HINT}`,
      );
    }
  }
}

async function run(program: string, args: string[], user: OsUser | undefined): Promise<string> {
  const result = await runCommand(join(POSTGRES15_BIN, program), args, {
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    env: { PATH: process.env.PATH, LC_ALL: 'C' },
    cwd: '/',
  });
  captureOutput('postgres15', result.stdout + result.stderr);
  if (result.code !== 0) {
    throw new Error(
      `${program} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.code}`}): ${result.stderr.trim()}`,
    );
  }
  return result.stdout;
}

/** startPostgres15 initialises and starts a fresh PostgreSQL 15 server. */
export async function startPostgres15(): Promise<Postgres15> {
  await requireBinaries();
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? await ensureOsUser('postgres') : undefined;
  const dir = await makeDataDir('pvesphere-pg15-');
  const pgdata = join(dir, 'data');
  const pwfile = join(dir, 'pwfile');
  const logFile = join(dir, 'server.log');
  const password = registerSecret(randomBytes(18).toString('base64url'));
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  await writeFile(logFile, '', { mode: 0o600 });
  if (user) {
    // initdb (as `postgres`) creates the data directory inside: the directory is theirs.
    for (const path of [dir, pwfile, logFile]) await chown(path, user.uid, user.gid);
  }
  const port = await findFreePort('127.0.0.1');
  let started = false;
  const stop = async () => {
    if (started) {
      started = false;
      await run('pg_ctl', ['-D', pgdata, '-m', 'fast', '-w', 'stop'], user).finally(async () =>
        captureOutput('postgres15', await readFile(logFile, 'utf8').catch(() => '')),
      );
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run(
      'initdb',
      [
        '-D',
        pgdata,
        '--username=postgres',
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--no-sync',
      ],
      user,
    );
    const options = [
      `-c port=${port}`,
      '-c listen_addresses=127.0.0.1',
      "-c unix_socket_directories=''",
      '-c fsync=off',
    ].join(' ');
    await run('pg_ctl', ['-D', pgdata, '-l', logFile, '-o', options, '-w', 'start'], user);
    started = true;
    const urlFor = (database: string) =>
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
    const client = new pg.Client({ connectionString: urlFor('postgres') });
    await client.connect();
    let version: string;
    try {
      version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!
        .server_version;
    } finally {
      await client.end();
    }
    return {
      urlFor,
      port,
      version,
      async createDatabase(name) {
        const admin = new pg.Client({ connectionString: urlFor('postgres') });
        await admin.connect();
        try {
          await admin.query(`CREATE DATABASE "${name}"`);
        } finally {
          await admin.end();
        }
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}
