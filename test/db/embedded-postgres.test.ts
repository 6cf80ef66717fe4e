import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EmbeddedPostgres,
  EmbeddedPostgresError,
  embeddedPostgresLayout,
  startEmbeddedPostgres,
} from '../../src/db/embedded-postgres.js';
import { isProcessAlive, readProcessStat } from '../../src/db/process-identity.js';
import { findFreePort } from '../../src/db/tcp-port.js';
import type { Logger } from '../../src/lib/logger.js';
import { createTestDataDir, queryRows } from '../support/embedded-postgres-fixture.js';

const asRoot = process.getuid?.() === 0;

/** captureLogger returns a logger and the JSON lines it wrote. */
function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

function logged(lines: string[], msg: string): Record<string, unknown>[] {
  return lines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === msg);
}

async function expectRejection(
  promise: Promise<unknown>,
  code: string,
): Promise<EmbeddedPostgresError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(EmbeddedPostgresError);
  expect((error as EmbeddedPostgresError).code).toBe(code);
  return error as EmbeddedPostgresError;
}

/** spawnSleeper starts a process that is certainly not PostgreSQL. */
function spawnSleeper(): ChildProcess {
  return spawn('sleep', ['30'], { stdio: 'ignore' });
}

// Two servers started side by side for the whole file: a fresh ephemeral one on a requested port,
// and one on a persistent data directory on a port chosen for it.
const { logger, lines } = captureLogger();
let requestedPort: number;
let server: EmbeddedPostgres;
let dataDir: string;
let persistentDir: string;
let persistent: EmbeddedPostgres | undefined;

beforeAll(async () => {
  requestedPort = await findFreePort('127.0.0.1');
  [dataDir, persistentDir] = await Promise.all([createTestDataDir(), createTestDataDir()]);
  [server, persistent] = await Promise.all([
    startEmbeddedPostgres({ dataDir, logger, ephemeral: true, port: requestedPort }),
    startEmbeddedPostgres({ dataDir: persistentDir }),
  ]);
});

afterAll(async () => {
  await Promise.all([server?.stop(), persistent?.stop()]);
  await rm(persistentDir, { recursive: true, force: true });
});

describe('startEmbeddedPostgres (fresh, ephemeral)', () => {
  it('serves the application database with password authentication on 127.0.0.1 only', async () => {
    expect(server.connectionString).toMatch(
      new RegExp(`^postgres://postgres:[0-9a-f]+@127\\.0\\.0\\.1:${server.port}/pvesphere$`),
    );
    const [row] = await queryRows<Record<string, string>>(
      server.connectionString,
      `SELECT current_database() AS db, current_setting('listen_addresses') AS listen,
              current_setting('unix_socket_directories') AS sockets, current_setting('server_version') AS version`,
    );
    expect(row).toEqual({
      db: 'pvesphere',
      listen: '127.0.0.1',
      sockets: '',
      version: server.version,
    });
    expect(server.version).toMatch(/^18\.\d+$/);

    const wrong = new URL(server.connectionString);
    wrong.password = 'not-the-password';
    await expect(queryRows(wrong.toString(), 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });

    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (external) {
      const other = new URL(server.connectionString);
      other.hostname = external.address;
      await expect(queryRows(other.toString(), 'SELECT 1')).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
    }
  });

  it('runs side by side with another server, and refuses a requested port that is taken', async () => {
    expect(server.port).toBe(requestedPort);
    expect(persistent?.port).not.toBe(requestedPort);
    expect(await queryRows(persistent!.connectionString, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);

    const otherDir = await createTestDataDir();
    const taken = await expectRejection(
      startEmbeddedPostgres({ dataDir: otherDir, port: requestedPort }),
      'EMBEDDED_PG_PORT_IN_USE',
    );
    expect(taken.message).toContain(`port ${requestedPort}`);
    // Refused before initdb: nothing was created.
    await expect(stat(embeddedPostgresLayout(otherDir).pgdata)).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await rm(otherDir, { recursive: true, force: true });
  });

  it('logs the start with dataDir, port, version and timings, and never the password', () => {
    const [started] = logged(lines, 'embedded postgres started');
    expect(started).toMatchObject({ dataDir, port: server.port, version: server.version });
    expect(started?.initdbMs).toBeTypeOf('number');
    expect(started?.startMs).toBeTypeOf('number');
    const password = new URL(server.connectionString).password;
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(lines.join('\n')).not.toContain(password);
    expect(JSON.stringify(server)).not.toContain(password);
  });

  it('creates databases idempotently, also from a template', async () => {
    await server.createDatabase('source');
    await server.createDatabase('source');
    await queryRows(server.connectionStringFor('source'), 'CREATE TABLE marker (id int)');
    await server.createDatabase('copy', { template: 'source' });
    const rows = await queryRows<{ n: string }>(
      server.connectionStringFor('copy'),
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'marker'`,
    );
    expect(rows).toEqual([{ n: '1' }]);
    const error = await expectRejection(
      server.createDatabase('other', { template: 'missing' }),
      'EMBEDDED_PG_CREATE_DATABASE_FAILED',
    );
    expect(error.message).toContain('create the template database first');
  });

  it('stops with a fast shutdown, twice without harm, and deletes an ephemeral data directory', async () => {
    const pid = server.pid;
    await Promise.all([server.stop(), server.stop()]);
    await server.stop();
    expect(await isProcessAlive(pid)).toBe(false);
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(logged(lines, 'embedded postgres stopped')).toHaveLength(1);
    await expectRejection(server.createDatabase('late'), 'EMBEDDED_PG_CREATE_DATABASE_FAILED');
  });
});

describe('startEmbeddedPostgres (persistent data directory)', () => {
  it('keeps the data across a restart without running initdb again, on the remembered port', async () => {
    const server = persistent!;
    persistent = undefined;
    await queryRows(
      server.connectionString,
      'CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$hello$$)',
    );
    const { port } = server;
    await server.stop();
    const pgVersion = join(embeddedPostgresLayout(persistentDir).pgdata, 'PG_VERSION');
    const created = (await stat(pgVersion)).mtimeMs;

    const second = captureLogger();
    const again = await startEmbeddedPostgres({ dataDir: persistentDir, logger: second.logger });
    try {
      expect(again.port).toBe(port);
      expect(await queryRows(again.connectionString, 'SELECT v FROM kept')).toEqual([
        { v: 'hello' },
      ]);
      expect(logged(second.lines, 'embedded postgres initialised')).toHaveLength(0);
      expect(logged(second.lines, 'embedded postgres started')[0]?.initdbMs).toBeUndefined();
      expect((await stat(pgVersion)).mtimeMs).toBe(created);

      // A second start on a directory this process already serves is refused, server untouched.
      const busy = await expectRejection(
        startEmbeddedPostgres({ dataDir: persistentDir }),
        'EMBEDDED_PG_DATA_DIR_IN_USE',
      );
      expect(busy.message).toContain(`pid ${process.pid}`);
      expect(busy.message).toContain(persistentDir);
      expect(await queryRows(again.connectionString, 'SELECT v FROM kept')).toEqual([
        { v: 'hello' },
      ]);
    } finally {
      await again.stop();
    }
    expect(await stat(persistentDir)).toBeTruthy();
  });

  it('removes a stale postmaster.pid, leaving the process it names alone', async () => {
    const layout = embeddedPostgresLayout(persistentDir);
    const sleeper = spawnSleeper();
    try {
      // The pid of a live process that is not this cluster's server (a pid reused after a reboot).
      await writeFile(
        join(layout.pgdata, 'postmaster.pid'),
        `${sleeper.pid}\n${layout.pgdata}\n1700000000\n5432\n\n127.0.0.1\n  1234  5678\nready   \n`,
      );
      const { logger, lines } = captureLogger();
      const server = await startEmbeddedPostgres({ dataDir: persistentDir, logger });
      await server.stop();
      expect(logged(lines, 'removing stale postmaster.pid')[0]).toMatchObject({
        pid: sleeper.pid,
        state: 'foreign',
      });
      expect(await isProcessAlive(sleeper.pid as number)).toBe(true);

      // The pid of a process that has exited.
      const gone = spawn('true');
      await new Promise((resolve) => gone.once('exit', resolve));
      await writeFile(join(layout.pgdata, 'postmaster.pid'), `${gone.pid}\n${layout.pgdata}\n`);
      const again = await startEmbeddedPostgres({ dataDir: persistentDir });
      expect(await queryRows(again.connectionString, 'SELECT v FROM kept')).toEqual([
        { v: 'hello' },
      ]);
      await again.stop();
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('treats an owner file naming a live process as busy, and one whose pid was reused as stale', async () => {
    const ownerFile = join(embeddedPostgresLayout(persistentDir).root, 'owner.pid');
    const sleeper = spawnSleeper();
    try {
      const startTime = (await readProcessStat(sleeper.pid as number))?.startTime;
      expect(startTime).toBeDefined();
      await writeFile(ownerFile, `${sleeper.pid}\n${startTime}\n`);
      const busy = await expectRejection(
        startEmbeddedPostgres({ dataDir: persistentDir }),
        'EMBEDDED_PG_DATA_DIR_IN_USE',
      );
      expect(busy.message).toContain(`pid ${sleeper.pid}`);

      await writeFile(ownerFile, `${sleeper.pid}\n1\n`);
      const server = await startEmbeddedPostgres({ dataDir: persistentDir });
      expect(await readFile(ownerFile, 'utf8')).toMatch(new RegExp(`^${process.pid}\n`));
      await server.stop();
      await expect(stat(ownerFile)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});

describe('startEmbeddedPostgres (refusals)', () => {
  it.runIf(asRoot)(
    'names the directory the postgres user cannot enter when the data directory is unreachable',
    async () => {
      const privateDir = await mkdtemp(join(tmpdir(), 'pvesphere-private-'));
      try {
        const error = await expectRejection(
          startEmbeddedPostgres({ dataDir: join(privateDir, 'data') }),
          'EMBEDDED_PG_DIR_NOT_TRAVERSABLE',
        );
        expect(error.message).toContain(`${privateDir} has mode 0700`);
        expect(error.message).toContain('OS user postgres');
        expect(error.message).toContain('PVESPHERE_DATA_DIR');
      } finally {
        await rm(privateDir, { recursive: true, force: true });
      }
    },
  );
});
