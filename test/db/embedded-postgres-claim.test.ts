import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirClaim, OWNER_FILE } from '../../src/db/data-dir-claim.js';

describe.each([
  { lock: 'abstract unix socket', abstractSocket: true },
  { lock: 'socket file', abstractSocket: false },
])('DataDirClaim with a $lock', ({ abstractSocket }) => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pvesphere-claim-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is exclusive until released, and records this process as the owner meanwhile', async () => {
    const claim = await DataDirClaim.acquire(dir, { abstractSocket });
    expect(claim).toBeInstanceOf(DataDirClaim);
    expect(await readFile(join(dir, OWNER_FILE), 'utf8')).toMatch(
      new RegExp(`^${process.pid}\n\\d+\n$`),
    );
    expect(await DataDirClaim.acquire(dir, { abstractSocket })).toEqual({
      busy: true,
      owner: expect.objectContaining({ pid: process.pid }),
    });
    await (claim as DataDirClaim).release();
    await (claim as DataDirClaim).release();
    await expect(stat(join(dir, OWNER_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await DataDirClaim.acquire(dir, { abstractSocket });
    expect(again).toBeInstanceOf(DataDirClaim);
    await (again as DataDirClaim).release();
  });

  it('is released by the kernel when the holder is killed, and reports the dead owner', async () => {
    const script = `
      import { DataDirClaim } from ${JSON.stringify(new URL('../../src/db/data-dir-claim.ts', import.meta.url).href)};
      await DataDirClaim.acquire(${JSON.stringify(dir)}, { abstractSocket: ${abstractSocket} });
      process.stdout.write('held\\n');
      setInterval(() => {}, 1000);
    `;
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise((resolve) => holder.stdout?.once('data', resolve));
    expect(await DataDirClaim.acquire(dir, { abstractSocket })).toMatchObject({
      busy: true,
      owner: { pid: holder.pid },
    });
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));

    const claim = await DataDirClaim.acquire(dir, { abstractSocket });
    expect(claim).toBeInstanceOf(DataDirClaim);
    expect((claim as DataDirClaim).previousOwner?.pid).toBe(holder.pid);
    await (claim as DataDirClaim).release();
  });

  it('ignores an owner file whose pid now belongs to another process', async () => {
    // The parent process is alive, but started at another time than the file says: a reused pid.
    await writeFile(join(dir, OWNER_FILE), `${process.ppid}\n0\n`);
    const claim = await DataDirClaim.acquire(dir, { abstractSocket });
    expect(claim).toBeInstanceOf(DataDirClaim);
    expect((claim as DataDirClaim).previousOwner).toEqual({ pid: process.ppid, startTime: '0' });
    await (claim as DataDirClaim).release();
  });
});
