import { rm } from 'node:fs/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOwnerFile } from '../../src/db/data-dir-claim.js';
import { EmbeddedPostgresError, startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { waitForExit } from '../../src/db/postmaster-process.js';
import { isProcessAlive } from '../../src/db/process-identity.js';
import {
  createTestDataDir,
  type FixtureProcess,
  queryRows,
  spawnEmbeddedPostgresFixture,
} from '../support/embedded-postgres-fixture.js';

describe('embedded PostgreSQL owned by another process', () => {
  let dataDir: string;
  let owner: FixtureProcess;

  beforeAll(async () => {
    dataDir = await createTestDataDir();
    owner = await spawnEmbeddedPostgresFixture({ args: ['--data-dir', dataDir] });
    await queryRows(
      owner.started.connectionString,
      `CREATE TABLE survivor (v text); INSERT INTO survivor VALUES ('still here')`,
    );
  });

  afterAll(async () => {
    await owner?.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to start while the owner is alive, naming it, and leaves its database up', async () => {
    const error = await startEmbeddedPostgres({ dataDir }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(EmbeddedPostgresError);
    expect((error as EmbeddedPostgresError).code).toBe('EMBEDDED_PG_DATA_DIR_IN_USE');
    expect((error as EmbeddedPostgresError).message).toContain(`pid ${owner.started.pid}`);
    expect(await queryRows(owner.started.connectionString, 'SELECT v FROM survivor')).toEqual([
      { v: 'still here' },
    ]);
  });

  it('after the owner is killed with SIGKILL, stops the orphaned server and starts on the same data', async () => {
    const orphan = owner.started.postgresPid;
    await owner.kill();
    // PostgreSQL outlives its owner: it runs in its own session.
    expect(await isProcessAlive(orphan)).toBe(true);

    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const server = await startEmbeddedPostgres({ dataDir, logger });
    try {
      expect(await isProcessAlive(orphan)).toBe(false);
      expect(server.pid).not.toBe(orphan);
      expect(server.port).toBe(owner.started.port);
      expect(await queryRows(server.connectionString, 'SELECT v FROM survivor')).toEqual([
        { v: 'still here' },
      ]);
      const warning = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((entry) =>
          entry.msg?.toString().startsWith('stopping embedded postgres left running'),
        );
      expect(warning).toMatchObject({ pid: orphan, previousOwnerPid: owner.started.pid });
      expect((await readOwnerFile(`${dataDir}/postgres/owner.pid`))?.pid).toBe(process.pid);
    } finally {
      await server.stop();
    }
  });

  it('a fixture stopped with SIGTERM shuts its server down cleanly', async () => {
    const fixture = await spawnEmbeddedPostgresFixture({ args: ['--data-dir', dataDir] });
    expect(await queryRows(fixture.started.connectionString, 'SELECT v FROM survivor')).toEqual([
      { v: 'still here' },
    ]);
    expect(await fixture.stop()).toBe(0);
    expect(await isProcessAlive(fixture.started.postgresPid)).toBe(false);
    expect(await readOwnerFile(`${dataDir}/postgres/owner.pid`)).toBeUndefined();
  });

  it('a process that exits without stop() has its server shut down on the way out', async () => {
    const fixture = await spawnEmbeddedPostgresFixture({ args: ['--data-dir', dataDir, '--exit'] });
    expect(await fixture.exited).toBe(0);
    expect(await waitForExit(fixture.started.postgresPid, 5_000)).toBe(true);
  });
});
