import { describe, expect, it } from 'vitest';
import type { IpAddressRecord } from '../../src/db/inventory-records.js';
import { guestStateFromPve, storageStateFromPve } from '../../src/inventory/mappers.js';
import { packIpAddresses } from '../../src/inventory/packed-ip-addresses.js';
import { stableJson } from '../../src/inventory/stable-json.js';
import { changedFields, GUEST_FIELDS, sameValue } from '../../src/inventory/state.js';
import type { PveGuest } from '../../src/proxmox/normalize/guest.js';

const listed = (overrides: Partial<PveGuest> = {}): PveGuest => ({
  vmid: 101,
  type: 'qemu',
  node: 'pve1',
  name: 'web-1',
  status: 'running',
  template: false,
  maxcpu: 4,
  maxmem: 4 * 2 ** 30,
  maxdisk: 32 * 2 ** 30,
  tags: ['prod', 'web'],
  ...overrides,
});

const ip = (address: string, nic = 'eth0'): IpAddressRecord => ({
  nicName: nic,
  macAddress: 'BC:24:11:00:00:01',
  ipAddress: address,
  ipVersion: 4,
  prefixLength: 24,
  configNic: 'net0',
});

const details = (addresses: IpAddressRecord[]) => ({
  description: 'front end',
  agentEnabled: true,
  ipAddresses: packIpAddresses(addresses),
});

describe('inventory states of a poll', () => {
  it('keeps the known state object when nothing of the inventory changed', () => {
    const known = guestStateFromPve(listed(), details([ip('10.0.0.5')]), undefined);
    // A new poll: new arrays and objects with equal contents (and different usage).
    const again = guestStateFromPve(
      listed({
        tags: ['prod', 'web'],
        usage: {
          cpu: 0.5,
          mem: 1,
          disk: 2,
          netin: 3,
          netout: 4,
          diskread: 5,
          diskwrite: 6,
          uptime: 7,
        },
      }),
      details([ip('10.0.0.5')]),
      known,
    );
    expect(again).toBe(known);
  });

  it('makes a new state with a new hash when a field changed', () => {
    const known = guestStateFromPve(listed(), details([ip('10.0.0.5')]), undefined);
    const moved = guestStateFromPve(listed({ node: 'pve2' }), details([ip('10.0.0.5')]), known);
    expect(moved).not.toBe(known);
    expect(moved.hash).not.toBe(known.hash);
    expect(changedFields(known, moved, GUEST_FIELDS)).toEqual(['node']);

    const readdressed = guestStateFromPve(listed(), details([ip('10.0.0.6')]), known);
    expect(readdressed.hash).not.toBe(known.hash);
    expect(changedFields(known, readdressed, GUEST_FIELDS)).toEqual(['ipAddresses']);

    const retagged = guestStateFromPve(listed({ tags: ['web', 'prod'] }), undefined, known);
    expect(changedFields(known, retagged, GUEST_FIELDS)).toEqual(['tags']);
  });

  it('gives a state that equals a known one the hash of a fresh mapping', () => {
    const fresh = guestStateFromPve(listed(), details([ip('10.0.0.5')]), undefined);
    const changed = guestStateFromPve(listed({ status: 'stopped' }), undefined, fresh);
    const back = guestStateFromPve(listed(), details([ip('10.0.0.5')]), changed);
    expect(back.hash).toBe(fresh.hash);
  });

  it('keeps a known storage whose listing is unchanged', () => {
    const row = {
      node: 'pve1',
      storage: 'local',
      type: 'dir',
      content: ['iso', 'vztmpl'],
      status: 'available',
      active: true,
      enabled: true,
      shared: false,
    };
    const known = storageStateFromPve(row);
    expect(storageStateFromPve({ ...row, content: ['iso', 'vztmpl'], used: 5 }, known)).toBe(known);
    expect(storageStateFromPve({ ...row, content: ['iso'] }, known)).not.toBe(known);
  });

  it('compares values as their stable JSON would', () => {
    const values: unknown[] = [
      null,
      undefined,
      0,
      1,
      '1',
      true,
      false,
      [],
      [null],
      ['a', 'b'],
      ['b', 'a'],
      {},
      { a: 1 },
      { a: 1, b: undefined },
      { b: 2, a: 1 },
      { a: 1, b: 2 },
      [{ a: 1 }],
      [{ a: '1' }],
    ];
    for (const a of values) {
      for (const b of values) {
        expect(sameValue(a, b), `${stableJson(a)} vs ${stableJson(b)}`).toBe(
          stableJson(a) === stableJson(b),
        );
      }
    }
  });
});

describe('content hashes', () => {
  // Stored in resource_hash and compared at every restart: a change of their text would make
  // every row of every cluster look changed once (a full rewrite and an event per row).
  it('stay the MD5 of the fields as stable JSON, as stored by earlier versions', () => {
    const guest = guestStateFromPve(
      listed({ name: 'wéb-1 "x"' }),
      {
        description: 'front\nend',
        agentEnabled: true,
        ipAddresses: packIpAddresses([
          ip('10.0.0.5'),
          { ...ip('fe80::1'), ipVersion: 6, prefixLength: 64, configNic: null },
        ]),
      },
      undefined,
    );
    expect(guest.hash).toBe('3a1cfa64318722429ef775d4d7a9a8a2');
    const template = guestStateFromPve(
      listed({
        vmid: 9000,
        type: 'lxc',
        node: 'pve2',
        name: 'tpl',
        status: 'stopped',
        template: true,
        maxcpu: 1,
        maxmem: 0,
        maxdisk: 0,
        tags: [],
      }),
      undefined,
      undefined,
    );
    expect(template.hash).toBe('e9c161d7a90114be7b354d2594794052');
  });

  it('serialise values as JSON with sorted keys, non-finite numbers and undefined as null', () => {
    expect(
      stableJson([
        1,
        -0,
        1e21,
        0.1,
        null,
        undefined,
        true,
        'a"\u2028',
        [1, [2]],
        { b: 1, a: [undefined], c: undefined },
        Number.NaN,
        Number.POSITIVE_INFINITY,
      ]),
    ).toBe('[1,0,1e+21,0.1,null,null,true,"a\\"\u2028",[1,[2]],{"a":[null],"b":1},null,null]');
  });
});
