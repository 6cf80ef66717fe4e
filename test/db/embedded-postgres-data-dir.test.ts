import { chmod, chown, mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultDataDir,
  ensureDirectory,
  findUnsearchableDirectory,
} from '../../src/db/data-dir.js';
import type { OsUser } from '../../src/db/postgres-os-user.js';

/** A user that owns nothing here and is in no group of the test files. */
const stranger: OsUser = { name: 'stranger', uid: 54_321, gid: 54_321, groups: [54_321] };

describe('defaultDataDir', () => {
  it('is /var/lib/pvesphere for root whatever the environment says', () => {
    expect(defaultDataDir({ HOME: '/root', XDG_DATA_HOME: '/x' }, 0)).toBe('/var/lib/pvesphere');
  });

  it('follows XDG_DATA_HOME for other users, and HOME/.local/share when it is unset or relative', () => {
    expect(defaultDataDir({ HOME: '/home/a', XDG_DATA_HOME: '/data' }, 1000)).toBe(
      '/data/pvesphere',
    );
    expect(defaultDataDir({ HOME: '/home/a' }, 1000)).toBe('/home/a/.local/share/pvesphere');
    expect(defaultDataDir({ HOME: '/home/a', XDG_DATA_HOME: 'rel' }, 1000)).toBe(
      '/home/a/.local/share/pvesphere',
    );
  });
});

describe('data directory helpers', () => {
  let base: string;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'pvesphere-dirs-'));
    await chmod(base, 0o755);
  });

  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('ensureDirectory gives every directory it creates the mode asked for, whatever the umask', async () => {
    await mkdir(join(base, 'kept'), { mode: 0o750 });
    await chmod(join(base, 'kept'), 0o750);
    const previous = process.umask(0o077);
    try {
      await ensureDirectory(join(base, 'kept', 'a', 'b'), 0o755);
    } finally {
      process.umask(previous);
    }
    expect((await stat(join(base, 'kept'))).mode & 0o777).toBe(0o750);
    expect((await stat(join(base, 'kept', 'a'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(base, 'kept', 'a', 'b'))).mode & 0o777).toBe(0o755);
  });

  it('findUnsearchableDirectory names the first directory a user may not enter, by group and other bits', async () => {
    const deep = join(base, 'a', 'b');
    await mkdir(deep, { recursive: true });
    await chmod(join(base, 'a'), 0o750);
    await chmod(deep, 0o755);
    expect(await findUnsearchableDirectory(deep, stranger)).toEqual({
      path: join(base, 'a'),
      mode: 0o750,
      uid: process.getuid?.(),
      gid: process.getgid?.(),
    });
    // A member of the directory's group may enter it (its owner is covered below).
    const member: OsUser = { ...stranger, groups: [process.getgid?.() ?? 0] };
    expect(await findUnsearchableDirectory(deep, member)).toBeUndefined();
    // A directory that does not exist yet ends the walk: its creator decides its mode.
    expect(await findUnsearchableDirectory(join(base, 'missing', 'x'), stranger)).toBeUndefined();
  });

  it('findUnsearchableDirectory also walks the real path behind a symlink', async () => {
    const hidden = join(base, 'private');
    await mkdir(join(hidden, 'data'), { recursive: true });
    await chmod(hidden, 0o700);
    await symlink(join(hidden, 'data'), join(base, 'link'));
    expect((await findUnsearchableDirectory(join(base, 'link'), stranger))?.path).toBe(hidden);
  });

  it.runIf(process.getuid?.() === 0)(
    'findUnsearchableDirectory lets a user into its own 0700 directory',
    async () => {
      const own = join(base, 'own');
      await mkdir(own, { mode: 0o700 });
      await chown(own, stranger.uid, stranger.gid);
      expect(await findUnsearchableDirectory(own, stranger)).toBeUndefined();
    },
  );
});
