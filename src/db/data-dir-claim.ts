import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coerceError } from '../lib/coerce-error.js';
import {
  currentProcessIdentity,
  isSameProcessAlive,
  type ProcessIdentity,
} from './process-identity.js';

/** OWNER_FILE is the file, next to the data, that names the process owning the server. */
export const OWNER_FILE = 'owner.pid';

/** DataDirClaimOptions configures {@link DataDirClaim.acquire}. */
export interface DataDirClaimOptions {
  /**
   * Use a Linux abstract unix socket as the lock (released by the kernel when the process dies,
   * even by SIGKILL). Otherwise a socket file in the temporary directory is used, and one nobody
   * answers on is taken as stale; that is best effort (two processes finding the same stale file
   * at the same instant can both take it), the owner file check narrowing the window.
   * @default true on Linux
   */
  abstractSocket?: boolean;
}

/** DataDirBusy says that another live process owns the directory. */
export interface DataDirBusy {
  busy: true;
  /** The owner as its owner file names it, when readable. */
  owner?: ProcessIdentity;
}

/**
 * DataDirClaim is exclusive ownership of a directory by this process, held by two means:
 * - a lock that dies with the process: a listening unix socket named after the directory's device
 *   and inode, so two paths to one directory (symlink, bind mount) share it;
 * - an owner file `<dir>/owner.pid` naming this process (pid and start time), for messages and for
 *   whoever comes next: if it names a live process, the directory is busy even when the lock is
 *   free (for example an owner that holds no lock).
 * The owner file is what decides whether a postmaster found running was left behind: it was when
 * its owner is gone.
 */
export class DataDirClaim {
  /** previousOwner is the process named by an owner file found on acquire; it is no longer running. */
  readonly previousOwner: ProcessIdentity | undefined;
  private released = false;

  private constructor(
    private readonly ownerFile: string,
    private readonly self: ProcessIdentity,
    private readonly lock: Server,
    previousOwner: ProcessIdentity | undefined,
  ) {
    this.previousOwner = previousOwner;
  }

  /**
   * acquire claims `dir` (which must exist) for this process, or reports who holds it. A second
   * acquire of the same directory in the same process is busy too.
   */
  static async acquire(
    dir: string,
    options: DataDirClaimOptions = {},
  ): Promise<DataDirClaim | DataDirBusy> {
    const ownerFile = join(dir, OWNER_FILE);
    const info = await stat(dir);
    const name = `pvesphere-pg-${info.dev}-${info.ino}`;
    const abstract = options.abstractSocket ?? process.platform === 'linux';
    const lockPath = abstract ? `\0${name}` : join(tmpdir(), `${name}.sock`);
    const lock = await listenLock(lockPath, !abstract);
    if (!lock) return { busy: true, ...optional(await readOwnerFile(ownerFile)) };

    const self = await currentProcessIdentity();
    const previous = await readOwnerFile(ownerFile);
    if (previous && previous.pid !== self.pid && (await isSameProcessAlive(previous))) {
      await closeLock(lock);
      return { busy: true, owner: previous };
    }
    await writeOwnerFile(ownerFile, self);
    return new DataDirClaim(
      ownerFile,
      self,
      lock,
      previous && previous.pid !== self.pid ? previous : undefined,
    );
  }

  /** release gives the directory up: removes the owner file (if still ours) and the lock. Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const owner = await readOwnerFile(this.ownerFile);
    if (owner && owner.pid === this.self.pid) await unlink(this.ownerFile).catch(ignoreMissing);
    await closeLock(this.lock);
  }
}

function optional(owner: ProcessIdentity | undefined): { owner?: ProcessIdentity } {
  return owner ? { owner } : {};
}

/** readOwnerFile returns the identity in an owner file, or undefined when absent or unreadable. */
export async function readOwnerFile(path: string): Promise<ProcessIdentity | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const error = coerceError(err);
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
  const [pidLine, startLine] = text.split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const startTime = startLine?.trim();
  return startTime ? { pid, startTime } : { pid };
}

/** writeOwnerFile records `owner` (pid line, start-time line) atomically. */
async function writeOwnerFile(path: string, owner: ProcessIdentity): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, `${owner.pid}\n${owner.startTime ?? ''}\n`, { mode: 0o644 });
  await rename(temporary, path);
}

/**
 * listenLock listens on the unix socket `path`; undefined when another process listens there.
 * With `staleCheck` (socket files), a file nobody answers on is removed and the listen retried.
 */
async function listenLock(path: string, staleCheck: boolean): Promise<Server | undefined> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const server = createServer((socket) => socket.destroy());
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ path, exclusive: true }, () => resolve());
      });
      server.unref();
      return server;
    } catch (err) {
      const error = coerceError(err);
      if (error.code !== 'EADDRINUSE') throw error;
      if (!staleCheck || attempt > 0 || (await somebodyListens(path))) return undefined;
      await unlink(path).catch(ignoreMissing);
    }
  }
  return undefined;
}

function somebodyListens(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** closeLock stops listening; for a socket file, libuv removes the file itself on close. */
async function closeLock(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function ignoreMissing(err: unknown): void {
  const error = coerceError(err);
  if (error.code !== 'ENOENT') throw error;
}
