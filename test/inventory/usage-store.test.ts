import { describe, expect, it } from 'vitest';
import { UsageStore } from '../../src/inventory/usage-store.js';

type Usage = { cpu: number | null; mem: number | null };

describe('UsageStore', () => {
  it('hands out only the usage that differs from what was last written', () => {
    const store = new UsageStore<Usage, { vmid: number }>();
    store.set('qemu/100', { cpu: 0.1, mem: 5 }, { vmid: 100 });
    store.set('qemu/101', { cpu: 0.2, mem: 6 }, { vmid: 101 });
    store.markWritten('qemu/100');
    expect([...store.changed().keys()]).toEqual(['qemu/101']);

    // The same values in another key order are not a change; new values are.
    store.set('qemu/100', { mem: 5, cpu: 0.1 }, { vmid: 100 });
    store.set('qemu/101', { cpu: 0.3, mem: 6 }, { vmid: 101 });
    const changed = store.changed();
    expect([...changed.keys()]).toEqual(['qemu/101']);
    expect(changed.get('qemu/101')).toMatchObject({
      usage: { cpu: 0.3, mem: 6 },
      meta: { vmid: 101 },
    });

    store.committed(changed);
    expect(store.changed().size).toBe(0);
    expect(store.get('qemu/101')).toEqual({ cpu: 0.3, mem: 6 });
  });

  it('commits what the flush read, so a value recorded during the flush is still pending', () => {
    const store = new UsageStore<Usage, undefined>();
    store.set('node/a', { cpu: 1, mem: 1 }, undefined);
    const flushing = store.changed();
    store.set('node/a', { cpu: 2, mem: 1 }, undefined);
    store.committed(flushing);
    expect(store.changed().get('node/a')?.usage).toEqual({ cpu: 2, mem: 1 });
  });

  it('forgets deleted objects and what was written for them', () => {
    const store = new UsageStore<Usage, undefined>();
    store.set('storage/a/local', { cpu: null, mem: 1 }, undefined);
    store.markWritten('storage/a/local');
    store.delete('storage/a/local');
    expect(store.get('storage/a/local')).toBeUndefined();
    store.set('storage/a/local', { cpu: null, mem: 1 }, undefined);
    expect([...store.changed().keys()]).toEqual(['storage/a/local']);
  });
});
