import { describe, expect, it } from 'vitest';
import { BodyBuffers } from '../../src/proxmox/body-buffers.js';

/** chunksOf yields `text` as UTF-8 chunks of `size` bytes (a body arriving in pieces). */
async function* chunksOf(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.byteLength; at += size) {
    await Promise.resolve();
    yield bytes.subarray(at, Math.min(at + size, bytes.byteLength));
  }
}

/** failingAfter yields `chunks` chunks of 100 bytes, then fails as a reset connection would. */
async function* failingAfter(chunks: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < chunks; i++) yield Buffer.alloc(100, 0x61);
  throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
}

const text = (n: number) =>
  Array.from({ length: n }, (_, i) => `{"id":"qemu/${i}","name":"vm-ü${i}"}`).join(',');

describe('BodyBuffers', () => {
  it('reads a body that arrives in chunks into one contiguous view, byte for byte', async () => {
    const buffers = new BodyBuffers({ initialBytes: 64 });
    for (const [body, chunk, hint] of [
      [text(200), 7, undefined],
      [text(200), 1000, 10],
      [text(3), 5, 100_000],
      ['', 10, undefined],
    ] as const) {
      const lease = await buffers.read(chunksOf(body, chunk), hint);
      expect(Buffer.from(lease.bytes).toString('utf8')).toBe(body);
      lease.release();
    }
  });

  it('reads the next body into the buffer a released lease had', async () => {
    const buffers = new BodyBuffers({ initialBytes: 1024 });
    const first = await buffers.read(chunksOf(text(10), 64));
    const backing = first.bytes.buffer;
    first.release();
    const second = await buffers.read(chunksOf(text(5), 64));
    expect(second.bytes.buffer).toBe(backing);
    expect(Buffer.from(second.bytes).toString('utf8')).toBe(text(5));
    second.release();
  });

  it('lends a different buffer to a body read while another is still leased', async () => {
    const buffers = new BodyBuffers({ initialBytes: 1024 });
    const [a, b] = await Promise.all([
      buffers.read(chunksOf(text(20), 50)),
      buffers.read(chunksOf(text(30), 50)),
    ]);
    expect(a.bytes.buffer).not.toBe(b.bytes.buffer);
    expect(Buffer.from(a.bytes).toString('utf8')).toBe(text(20));
    expect(Buffer.from(b.bytes).toString('utf8')).toBe(text(30));
    a.release();
    b.release();
    expect(buffers.idleCount).toBe(2);
  });

  it('takes its buffer back and rethrows when the body fails midway', async () => {
    const buffers = new BodyBuffers({ initialBytes: 64 });
    await expect(buffers.read(failingAfter(5))).rejects.toThrow('other side closed');
    expect(buffers.idleCount).toBe(1);
    const lease = await buffers.read(chunksOf('{"data":[]}', 4));
    expect(Buffer.from(lease.bytes).toString('utf8')).toBe('{"data":[]}');
  });

  it('keeps at most `keep` idle buffers and none grown beyond maxKeptBytes', async () => {
    const buffers = new BodyBuffers({ initialBytes: 256, keep: 2, maxKeptBytes: 4096 });
    const leases = await Promise.all([1, 2, 3].map(() => buffers.read(chunksOf(text(2), 16))));
    for (const lease of leases) lease.release();
    expect(buffers.idleCount).toBe(2);

    const small = new BodyBuffers({ initialBytes: 256, maxKeptBytes: 4096 });
    (await small.read(chunksOf(text(500), 1000))).release();
    expect(small.idleCount).toBe(0);
  });

  it('ignores a second release of the same lease', async () => {
    const buffers = new BodyBuffers({ initialBytes: 256 });
    const lease = await buffers.read(chunksOf(text(2), 16));
    lease.release();
    lease.release();
    expect(buffers.idleCount).toBe(1);
    const [a, b] = await Promise.all([
      buffers.read(chunksOf(text(2), 16)),
      buffers.read(chunksOf(text(3), 16)),
    ]);
    expect(a.bytes.buffer).not.toBe(b.bytes.buffer);
  });
});
