import { describe, expect, it } from 'vitest';
import { type UsageSnapshot, UsageStore } from '../../src/inventory/usage-store.js';

type Usage = { cpu: number | null; mem: number | null };
const FIELDS = ['cpu', 'mem'] as const;

/** entries reads a snapshot as key → usage and meta. */
const entries = <M>(snapshot: UsageSnapshot<Usage, M>) =>
  new Map(
    snapshot.keys.map((key, i) => [key, { usage: snapshot.usage(i), meta: snapshot.metas[i] }]),
  );

describe('UsageStore', () => {
  it('hands out only the usage that differs from what was last written', () => {
    const store = new UsageStore<Usage, { vmid: number }>({ fields: FIELDS });
    store.set('qemu/100', { cpu: 0.1, mem: 5 }, { vmid: 100 });
    store.set('qemu/101', { cpu: 0.2, mem: 6 }, { vmid: 101 });
    store.markWritten('qemu/100');
    expect([...store.changed().keys]).toEqual(['qemu/101']);

    // The same values in another key order are not a change; new values are.
    store.set('qemu/100', { mem: 5, cpu: 0.1 }, { vmid: 100 });
    store.set('qemu/101', { cpu: 0.3, mem: 6 }, { vmid: 101 });
    const changed = store.changed();
    expect([...changed.keys]).toEqual(['qemu/101']);
    expect(entries(changed).get('qemu/101')).toMatchObject({
      usage: { cpu: 0.3, mem: 6 },
      meta: { vmid: 101 },
    });

    store.committed(changed);
    expect(store.changed().size).toBe(0);
    expect(store.get('qemu/101')).toEqual({ cpu: 0.3, mem: 6 });
  });

  it('packs a snapshot by metric: one column per field, NaN for null', () => {
    const store = new UsageStore<Usage, { vmid: number }>({ fields: FIELDS });
    store.set('qemu/100', { cpu: 0.5, mem: null }, { vmid: 100 });
    store.set('qemu/101', { cpu: null, mem: 2 ** 40 }, { vmid: 101 });
    const snapshot = store.changed();
    expect(snapshot.metas).toEqual([{ vmid: 100 }, { vmid: 101 }]);
    expect([...snapshot.column('cpu')]).toEqual([0.5, Number.NaN]);
    expect([...snapshot.column('mem')]).toEqual([Number.NaN, 2 ** 40]);
    expect(snapshot.usage(1)).toEqual({ cpu: null, mem: 2 ** 40 });
  });

  it('commits what the flush read, so a value recorded during the flush is still pending', () => {
    const store = new UsageStore<Usage, undefined>({ fields: FIELDS });
    store.set('node/a', { cpu: 1, mem: 1 }, undefined);
    const flushing = store.changed();
    store.set('node/a', { cpu: 2, mem: 1 }, undefined);
    store.committed(flushing);
    expect(entries(store.changed()).get('node/a')?.usage).toEqual({ cpu: 2, mem: 1 });
  });

  it('leaves pending what changed while a flush was written, even a key deleted and added anew', () => {
    const store = new UsageStore<Usage, number>({ fields: FIELDS });
    store.set('qemu/100', { cpu: 1, mem: 1 }, 100);
    store.set('qemu/101', { cpu: 1, mem: 1 }, 101);
    const flushing = store.changed();
    store.delete('qemu/100');
    store.set('qemu/100', { cpu: 1, mem: 1 }, 100);
    store.set('qemu/101', { cpu: 1, mem: 1 }, 101); // the same values: nothing new
    store.committed(flushing);
    expect([...store.changed().keys]).toEqual(['qemu/100']);
  });

  it('writes again a value set back to what was written (a row, not an event)', () => {
    const store = new UsageStore<Usage, number>({ fields: FIELDS });
    store.set('qemu/100', { cpu: 1, mem: 1 }, 100);
    store.markWritten('qemu/100');
    store.set('qemu/100', { cpu: 2, mem: 1 }, 100);
    store.set('qemu/100', { cpu: 1, mem: 1 }, 100);
    expect(entries(store.changed()).get('qemu/100')?.usage).toEqual({ cpu: 1, mem: 1 });
  });

  it('forgets deleted objects and what was written for them', () => {
    const store = new UsageStore<Usage, undefined>({ fields: FIELDS });
    store.set('storage/a/local', { cpu: null, mem: 1 }, undefined);
    store.markWritten('storage/a/local');
    store.delete('storage/a/local');
    expect(store.get('storage/a/local')).toBeUndefined();
    store.set('storage/a/local', { cpu: null, mem: 1 }, undefined);
    expect([...store.changed().keys]).toEqual(['storage/a/local']);
  });

  it('tells null from 0 and keeps every number exactly (fractions, counters beyond 2^53 / 1024)', () => {
    const store = new UsageStore<Usage, undefined>({ fields: FIELDS });
    store.set('qemu/100', { cpu: null, mem: 0 }, undefined);
    store.markWritten('qemu/100');
    expect(store.get('qemu/100')).toEqual({ cpu: null, mem: 0 });

    store.set('qemu/100', { cpu: 0, mem: 0 }, undefined);
    expect(entries(store.changed()).get('qemu/100')?.usage).toEqual({ cpu: 0, mem: 0 });

    const big = 2 ** 52 + 1;
    store.set('qemu/100', { cpu: 0.123456789012345, mem: big }, undefined);
    store.markWritten('qemu/100');
    expect(store.get('qemu/100')).toEqual({ cpu: 0.123456789012345, mem: big });
    store.set('qemu/100', { cpu: 0.123456789012345, mem: big + 1 }, undefined);
    expect(entries(store.changed()).get('qemu/100')?.usage.mem).toBe(big + 1);
  });

  it('keeps thousands of objects apart, reusing the slots of deleted ones', () => {
    const store = new UsageStore<Usage, { vmid: number }>({ fields: FIELDS });
    for (let vmid = 0; vmid < 5000; vmid++) {
      store.set(`qemu/${vmid}`, { cpu: vmid / 10, mem: vmid }, { vmid });
    }
    for (let vmid = 0; vmid < 5000; vmid += 2) store.delete(`qemu/${vmid}`);
    for (let vmid = 5000; vmid < 6000; vmid++) {
      store.set(`qemu/${vmid}`, { cpu: null, mem: -vmid }, { vmid });
    }
    expect(store.size).toBe(3500);
    expect(store.get('qemu/4999')).toEqual({ cpu: 499.9, mem: 4999 });
    expect(store.get('qemu/5999')).toEqual({ cpu: null, mem: -5999 });
    expect(store.get('qemu/4998')).toBeUndefined();
    const changed = store.changed();
    expect(changed.size).toBe(3500);
    expect(entries(changed).get('qemu/5500')).toEqual({
      usage: { cpu: null, mem: -5500 },
      meta: { vmid: 5500 },
    });
  });

  it('keeps the meta it has when a poll brings an equal one, and takes a different one', () => {
    const store = new UsageStore<Usage, { node: string; name: string }>({ fields: FIELDS });
    const first = { node: 'pve1', name: 'local' };
    store.set('storage/pve1/local', { cpu: null, mem: 1 }, first);
    store.set('storage/pve1/local', { cpu: null, mem: 2 }, { node: 'pve1', name: 'local' });
    expect(entries(store.changed()).get('storage/pve1/local')?.meta).toBe(first);
    const renamed = { node: 'pve1', name: 'local2' };
    store.set('storage/pve1/local', { cpu: null, mem: 2 }, renamed);
    expect(entries(store.changed()).get('storage/pve1/local')?.meta).toBe(renamed);
  });
});
