import { access, constants, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { coerceError } from '../lib/coerce-error.js';
import { type Logger, silentLogger } from '../lib/logger.js';
import { createDatabaseIfMissing } from './create-database.js';
import { describeUnsearchable, ensureDirectory, findUnsearchableDirectory } from './data-dir.js';
import { DataDirClaim } from './data-dir-claim.js';
import {
  binariesAt,
  ensureReachableBinaries,
  locatePackageBinaries,
  type PostgresBinaries,
} from './embedded-postgres-binaries.js';
import { ensureCluster, readPassword } from './embedded-postgres-cluster.js';
import { EmbeddedPostgresError } from './embedded-postgres-error.js';
import { type EmbeddedPostgresLayout, embeddedPostgresLayout } from './embedded-postgres-layout.js';
import {
  adminConnection,
  EMBEDDED_PG_HOST,
  EmbeddedPostgresServer,
} from './embedded-postgres-server.js';
import {
  currentOsUser,
  DEFAULT_POSTGRES_OS_USER,
  ensureOsUser,
  type OsUser,
} from './postgres-os-user.js';
import { POSTMASTER_PID_FILE, postmasterState, readPostmasterPid } from './postmaster-pid.js';
import { launchPostmaster, PostmasterLaunchFailure, stopPostmaster } from './postmaster-process.js';
import { findFreePort, isPortFree } from './tcp-port.js';

export { defaultDataDir } from './data-dir.js';
export { EmbeddedPostgresError } from './embedded-postgres-error.js';
export { type EmbeddedPostgresLayout, embeddedPostgresLayout } from './embedded-postgres-layout.js';

const HOST = EMBEDDED_PG_HOST;

/** DEFAULT_DATABASE is the application database start() creates. */
const DEFAULT_DATABASE = 'pvesphere';

/** PORT_ATTEMPTS bounds retries when a freshly chosen free port is taken before postgres binds it. */
const PORT_ATTEMPTS = 5;

/** EmbeddedPostgresOptions configure {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Directory that holds the cluster; see {@link EmbeddedPostgresLayout}. Created (0755) if missing. */
  dataDir: string;
  /**
   * TCP port on 127.0.0.1. 0/undefined = the port used last time with this data directory while
   * it is free, else a free port chosen by the kernel (remembered for next time).
   */
  port?: number;
  /** @default silentLogger */
  logger?: Logger;
  /**
   * Delete the whole data directory on stop (tests). Such a cluster also runs without fsync, as
   * nothing in it needs to survive a crash. @default false
   */
  ephemeral?: boolean;
  /** The application database, created by start() if missing. @default 'pvesphere' */
  database?: string;
  /**
   * The OS user that runs PostgreSQL when this process is root (PostgreSQL refuses to run as
   * root), created as a system account if missing. Ignored as non-root: PostgreSQL then runs as
   * this process's user. @default 'postgres'
   */
  osUser?: string;
  /**
   * A PostgreSQL tree (`bin/`, `lib/`, `share/`) to use instead of the installed
   * `@embedded-postgres/<platform>-<arch>` package. @default the package's `native` directory
   */
  nativeDir?: string;
  /** How long start-up (including crash recovery) may take. @default 60000 */
  startTimeoutMs?: number;
  /** How long a fast shutdown may take before an immediate one is forced. @default 3000 */
  stopTimeoutMs?: number;
}

/** EmbeddedPostgres is a running embedded PostgreSQL server. */
export interface EmbeddedPostgres {
  /** postgres://… URL of the application database, as the superuser. Contains the password: never log it. */
  readonly connectionString: string;
  readonly port: number;
  /** PostgreSQL server version, e.g. "18.4". */
  readonly version: string;
  /** The data directory, absolute. */
  readonly dataDir: string;
  /** The postmaster's pid. */
  readonly pid: number;
  /** connectionStringFor is {@link connectionString} for another database of this server. */
  connectionStringFor(database: string): string;
  /**
   * createDatabase creates a database if missing, optionally as a copy of `template` (which must
   * have no other connections meanwhile). The application database is created by start().
   */
  createDatabase(name: string, options?: { template?: string }): Promise<void>;
  /**
   * stop shuts the server down (fast shutdown, then immediate after `stopTimeoutMs`), waits for it
   * to exit, gives the data directory up and, when ephemeral, deletes it. Safe to call twice.
   */
  stop(): Promise<void>;
}

/**
 * startEmbeddedPostgres starts (initialising on first use) a PostgreSQL server that keeps its data
 * in `dataDir`, listens on 127.0.0.1 only with password authentication, and has the application
 * database created. It:
 * - runs PostgreSQL as OS user `postgres` (created if missing) when this process is root, else as
 *   this process's user; as root it checks that `postgres` can reach the data directory, and copies
 *   the binaries into the data directory when `postgres` cannot reach them where they are installed
 *   (a checkout in a 0700 home directory);
 * - claims the data directory for this process: while another live process owns it, start fails
 *   with EMBEDDED_PG_DATA_DIR_IN_USE and that process's server is left alone;
 * - stops a server left running by an owner that has died (SIGKILL), and ignores a stale
 *   `postmaster.pid`;
 * - logs `embedded postgres started` with dataDir, port, version and timings (never the password).
 * Every failure is an {@link EmbeddedPostgresError} that says what failed and what to do.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const started = performance.now();
  const dataDir = resolve(options.dataDir);
  const layout = embeddedPostgresLayout(dataDir);
  const logger = options.logger ?? silentLogger;
  const ephemeral = options.ephemeral ?? false;
  const stopTimeoutMs = options.stopTimeoutMs ?? 3_000;
  const asRoot = process.getuid?.() === 0;
  const user = asRoot
    ? await ensureOsUser(options.osUser ?? DEFAULT_POSTGRES_OS_USER)
    : currentOsUser();
  // As root, files PostgreSQL itself must read are handed to `user`; as non-root they are ours.
  const runAs = asRoot ? user : undefined;

  await prepareDirectories(dataDir, layout, user, asRoot);
  const claim = await DataDirClaim.acquire(layout.root);
  if (!(claim instanceof DataDirClaim)) {
    const who = claim.owner ? `pvesphere process (pid ${claim.owner.pid})` : 'process';
    throw new EmbeddedPostgresError(
      'EMBEDDED_PG_DATA_DIR_IN_USE',
      `the data directory ${dataDir} is in use by another running ${who}, whose database stays up: ` +
        'stop that process first, or give this one its own PVESPHERE_DATA_DIR (or use DATABASE_URL to share one server)',
    );
  }

  let pid: number | undefined;
  try {
    await stopPreviousPostmaster(layout, claim, stopTimeoutMs, logger);
    // Before initdb, so a taken port costs nothing.
    if (options.port && !(await isPortFree(options.port, HOST))) throw portInUse(options.port);
    const installed = options.nativeDir
      ? await binariesAt(resolve(options.nativeDir))
      : await locatePackageBinaries();
    const binaries = await ensureReachableBinaries(installed, {
      user,
      cacheDir: layout.root,
      logger,
    });
    const initdbMs = await ensureCluster(layout, binaries, runAs, ephemeral, logger);
    const password = await readPassword(layout);

    const launchStarted = performance.now();
    const launched = await launch(layout, binaries, runAs, ephemeral, options, logger);
    pid = launched.pid;
    const startMs = performance.now() - launchStarted;

    const database = options.database ?? DEFAULT_DATABASE;
    const version = await prepareDatabase(launched.port, password, database);
    if (!options.port) await writeFile(layout.portFile, `${launched.port}\n`);

    const server = new EmbeddedPostgresServer({
      dataDir,
      port: launched.port,
      pid: launched.pid,
      version,
      password,
      database,
      ephemeral,
      stopTimeoutMs,
      claim,
      logger,
    });
    logger.info(
      {
        dataDir,
        port: launched.port,
        version,
        pid: launched.pid,
        initdbMs: initdbMs === undefined ? undefined : Math.round(initdbMs),
        startMs: Math.round(startMs),
        totalMs: Math.round(performance.now() - started),
      },
      'embedded postgres started',
    );
    return server;
  } catch (err) {
    const error = coerceError(err);
    if (pid !== undefined) await stopPostmaster(pid, stopTimeoutMs).catch(coerceError);
    await claim.release();
    if (ephemeral) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * prepareDirectories creates the layout root and checks, before anything is written, that the
 * OS user running PostgreSQL can reach it and that an existing cluster belongs to that user.
 */
async function prepareDirectories(
  dataDir: string,
  layout: EmbeddedPostgresLayout,
  user: OsUser,
  asRoot: boolean,
): Promise<void> {
  try {
    await ensureDirectory(layout.root, 0o755);
    await access(layout.root, constants.W_OK | constants.X_OK);
  } catch (err) {
    const error = coerceError(err);
    throw new EmbeddedPostgresError(
      'EMBEDDED_PG_DATA_DIR_UNUSABLE',
      `the data directory ${dataDir} cannot be used by uid ${process.getuid?.()} (${error.message}): ` +
        'choose a PVESPHERE_DATA_DIR this user may write, or run pvesphere as the user that owns it',
      { cause: error },
    );
  }
  if (asRoot) {
    const blocked = await findUnsearchableDirectory(layout.root, user);
    if (blocked) {
      throw new EmbeddedPostgresError(
        'EMBEDDED_PG_DIR_NOT_TRAVERSABLE',
        `the data directory ${dataDir} is not reachable by OS user ${user.name}, which runs PostgreSQL ` +
          `when pvesphere runs as root: ${describeUnsearchable(blocked)}; set PVESPHERE_DATA_DIR to a ` +
          `directory whose parents all let others search them (such as /var/lib/pvesphere), or run chmod o+x ${blocked.path}`,
      );
    }
  }
  let owner: number;
  try {
    owner = (await stat(layout.pgdata)).uid;
  } catch (err) {
    const error = coerceError(err);
    if (error.code === 'ENOENT') return;
    throw error;
  }
  if (owner !== user.uid) {
    throw new EmbeddedPostgresError(
      'EMBEDDED_PG_DATA_DIR_UNUSABLE',
      `the cluster ${layout.pgdata} belongs to uid ${owner}, but PostgreSQL would run as ${user.name} ` +
        `(uid ${user.uid}): run pvesphere as the user that created it (as root, PostgreSQL runs as ` +
        `${DEFAULT_POSTGRES_OS_USER}), or chown -R ${user.name} ${layout.pgdata}`,
    );
  }
}

/**
 * stopPreviousPostmaster deals with a `postmaster.pid` found at start. Holding the claim means
 * the process that started that server is gone, so a server still running there is an orphan
 * (its owner was killed): it is shut down. A file naming a dead or unrelated process is stale
 * and removed. A live process that cannot be identified is left alone and start fails.
 */
async function stopPreviousPostmaster(
  layout: EmbeddedPostgresLayout,
  claim: DataDirClaim,
  stopTimeoutMs: number,
  logger: Logger,
): Promise<void> {
  const pidFile = await readPostmasterPid(layout.pgdata);
  if (!pidFile) return;
  const state = await postmasterState(pidFile.pid, layout.pgdata);
  const path = join(layout.pgdata, POSTMASTER_PID_FILE);
  if (state === 'dead' || state === 'foreign') {
    logger.info({ path, pid: pidFile.pid, state }, 'removing stale postmaster.pid');
    await rm(path, { force: true });
    return;
  }
  if (state === 'unknown') {
    throw new EmbeddedPostgresError(
      'EMBEDDED_PG_DATA_DIR_IN_USE',
      `${path} names process ${pidFile.pid}, which is running but cannot be identified: if it is ` +
        `this cluster's server, stop it (kill -INT ${pidFile.pid}); if it is not, delete ${path}; then start again`,
    );
  }
  logger.warn(
    { pid: pidFile.pid, previousOwnerPid: claim.previousOwner?.pid, dataDir: layout.pgdata },
    'stopping embedded postgres left running by a previous pvesphere process that is gone',
  );
  try {
    await stopPostmaster(pidFile.pid, stopTimeoutMs);
  } catch (err) {
    const error = coerceError(err);
    throw new EmbeddedPostgresError(
      'EMBEDDED_PG_ORPHAN_STOP_FAILED',
      `PostgreSQL (pid ${pidFile.pid}) left running in ${layout.pgdata} by a previous pvesphere process ` +
        `could not be stopped (${error.message}): stop it by hand (kill -QUIT ${pidFile.pid}) and start again`,
      { cause: error },
    );
  }
}

/**
 * launch starts the postmaster on the requested port, else on the remembered or a free one, trying
 * another free port when the chosen one is taken before postgres binds it.
 */
async function launch(
  layout: EmbeddedPostgresLayout,
  binaries: PostgresBinaries,
  runAs: OsUser | undefined,
  ephemeral: boolean,
  options: EmbeddedPostgresOptions,
  logger: Logger,
): Promise<{ pid: number; port: number }> {
  const explicit = options.port ? options.port : undefined;
  let port = explicit ?? (await rememberedPort(layout)) ?? (await findFreePort(HOST));
  for (let attempt = 1; ; attempt++) {
    try {
      const pid = await launchPostmaster({
        postgres: binaries.postgres,
        pgdata: layout.pgdata,
        user: runAs,
        logFile: layout.logFile,
        timeoutMs: options.startTimeoutMs ?? 60_000,
        settings: {
          port: String(port),
          listen_addresses: HOST,
          unix_socket_directories: '',
          ...(ephemeral
            ? { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }
            : {}),
        },
      });
      return { pid, port };
    } catch (err) {
      const error = coerceError(err);
      if (!(error instanceof PostmasterLaunchFailure)) throw error;
      if (error.reason === 'port-in-use') {
        if (explicit !== undefined) throw portInUse(explicit);
        if (attempt < PORT_ATTEMPTS) {
          logger.info({ port }, 'embedded postgres port taken meanwhile, trying another');
          port = await findFreePort(HOST);
          continue;
        }
      }
      throw new EmbeddedPostgresError(
        'EMBEDDED_PG_START_FAILED',
        `PostgreSQL in ${layout.pgdata} did not start (${error.message})` +
          `${error.logTail ? `; it logged: ${error.logTail.split('\n').slice(-5).join(' | ')}` : ''}; ` +
          `the full log is ${layout.logFile}`,
        { cause: error },
      );
    }
  }
}

async function rememberedPort(layout: EmbeddedPostgresLayout): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(layout.portFile, 'utf8');
  } catch (err) {
    const error = coerceError(err);
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
  const port = Number(text.trim());
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
  return (await isPortFree(port, HOST)) ? port : undefined;
}

function portInUse(port: number): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    'EMBEDDED_PG_PORT_IN_USE',
    `port ${port} on ${HOST} is already in use, so the embedded PostgreSQL cannot listen on it: ` +
      'stop what uses it, choose another port, or leave the port unset to pick a free one',
  );
}

/** prepareDatabase creates the application database if missing and returns the server version. */
async function prepareDatabase(port: number, password: string, database: string): Promise<string> {
  const client = new Client(adminConnection(port, password));
  try {
    await client.connect();
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    await createDatabaseIfMissing(client, database);
    const full = result.rows[0]?.server_version ?? '';
    return /^\d+(\.\d+)?/.exec(full)?.[0] ?? full;
  } catch (err) {
    const error = coerceError(err);
    throw new EmbeddedPostgresError(
      'EMBEDDED_PG_START_FAILED',
      `the embedded PostgreSQL started but preparing database "${database}" failed: ${error.message}`,
      { cause: error },
    );
  } finally {
    await client.end().catch(coerceError);
  }
}
