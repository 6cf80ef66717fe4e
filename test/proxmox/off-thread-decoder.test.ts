/**
 * OffThreadDecoder: large `/cluster/resources` answers are decoded on a worker thread with the
 * same results and the same errors as the inline path, small ones inline, and nothing is lost
 * when the decoder closes with answers in flight.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { inlineDecoder } from '../../src/proxmox/decode/answer-decoders.js';
import { OffThreadDecoder } from '../../src/proxmox/decode/off-thread-decoder.js';
import { PveBadResponseError } from '../../src/proxmox/errors.js';
import { testLogger } from '../support/capture.js';

/** resourcesBody is a `/cluster/resources` answer with `guests` guests over four nodes. */
function resourcesBody(guests: number, patch?: (row: Record<string, unknown>, i: number) => void) {
  const rows: Record<string, unknown>[] = [];
  for (let n = 1; n <= 4; n++) {
    rows.push({ id: `node/pve${n}`, type: 'node', node: `pve${n}`, status: 'online', maxcpu: 32 });
  }
  for (let i = 0; i < guests; i++) {
    const row: Record<string, unknown> = {
      id: `${i % 3 ? 'qemu' : 'lxc'}/${100 + i}`,
      type: i % 3 ? 'qemu' : 'lxc',
      vmid: i % 2 ? 100 + i : String(100 + i),
      node: `pve${(i % 4) + 1}`,
      name: `guest-${i}`,
      status: i % 5 ? 'running' : 'stopped',
      template: i % 50 === 0 ? 1 : 0,
      tags: 'prod;web',
      maxcpu: 4,
      maxmem: 8589934592,
      cpu: 0.0123,
      mem: '2147483648',
      uptime: 3600,
    };
    patch?.(row, i);
    rows.push(row);
  }
  rows.push({
    id: 'storage/pve1/local',
    type: 'storage',
    node: 'pve1',
    storage: 'local',
    status: 'available',
    plugintype: 'dir',
    content: 'images,rootdir',
    shared: 0,
  });
  return JSON.stringify({ data: rows });
}

const open: OffThreadDecoder[] = [];
function decoder(options: { minLength?: number } = {}): OffThreadDecoder {
  const created = new OffThreadDecoder({
    logger: testLogger({ component: 'decoder-test' }),
    ...options,
  });
  open.push(created);
  return created;
}

afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
});

async function rejection(promise: Promise<unknown>): Promise<PveBadResponseError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(PveBadResponseError);
  return error as PveBadResponseError;
}

describe('OffThreadDecoder', () => {
  it('decodes a large answer on the worker, exactly as inline', async () => {
    const body = resourcesBody(2_000);
    const d = decoder();
    const decoding = d.decode('cluster-resources', body);
    expect(d.pending).toBe(1);
    const decoded = await decoding;
    expect(d.pending).toBe(0);
    expect(decoded).toEqual(await inlineDecoder.decode('cluster-resources', body));
    expect(decoded.guests).toHaveLength(2_000);
    expect(decoded.guests[2]).toMatchObject({ vmid: 102, type: 'qemu', tags: ['prod', 'web'] });
    // Many at once, answered each to its caller.
    const bodies = [10, 400, 1_500].map((n) => resourcesBody(n));
    const results = await Promise.all(bodies.map((b) => d.decode('cluster-resources', b)));
    expect(results.map((r) => r.guests.length)).toEqual([10, 400, 1_500]);
  });

  it('decodes small answers inline', async () => {
    const d = decoder();
    const decoding = d.decode('cluster-resources', resourcesBody(3));
    expect(d.pending).toBe(0);
    expect((await decoding).guests).toHaveLength(3);
  });

  it('rejects malformed answers with the inline path’s PveBadResponseError', async () => {
    const d = decoder({ minLength: 0 });
    const badRow = resourcesBody(500, (row, i) => {
      if (i === 321) row.vmid = 'one hundred';
    });
    const cases = [badRow, `<html>${'x'.repeat(40_000)}`, JSON.stringify({ nodata: [] })];
    for (const body of cases) {
      const offThread = await rejection(d.decode('cluster-resources', body));
      const inline = await rejection(inlineDecoder.decode('cluster-resources', body));
      expect({
        message: offThread.message,
        field: offThread.field,
        retryable: offThread.retryable,
      }).toEqual({
        message: inline.message,
        field: inline.field,
        retryable: inline.retryable,
      });
    }
    expect((await rejection(d.decode('cluster-resources', badRow))).field).toMatch(/vmid/);
    // The worker survives bad answers.
    expect((await d.decode('cluster-resources', resourcesBody(600))).guests).toHaveLength(600);
  });

  it('loses nothing when closed with answers in flight, and decodes inline afterwards', async () => {
    const d = decoder();
    const inFlight = [1_000, 1_200].map((n) => d.decode('cluster-resources', resourcesBody(n)));
    expect(d.pending).toBe(2);
    await d.close();
    expect((await Promise.all(inFlight)).map((r) => r.guests.length)).toEqual([1_000, 1_200]);
    const after = d.decode('cluster-resources', resourcesBody(1_000));
    expect(d.pending).toBe(0);
    expect((await after).guests).toHaveLength(1_000);
  });
});
