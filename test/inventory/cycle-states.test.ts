import { describe, expect, it } from 'vitest';
import type { IpAddressRecord } from '../../src/db/inventory-records.js';
import {
  buildCycleStates,
  type KnownInventory,
  UnknownUnchangedGuestError,
} from '../../src/inventory/cycle-states.js';
import type { InventoryList } from '../../src/inventory/inventory-lister.js';
import { InventoryUsage } from '../../src/inventory/inventory-usage.js';
import { type GuestDetails, guestStateFromPve } from '../../src/inventory/mappers.js';
import { packIpAddresses, unpackIpAddresses } from '../../src/inventory/packed-ip-addresses.js';
import type { GuestState } from '../../src/inventory/state.js';
import type { PveGuest } from '../../src/proxmox/normalize/guest.js';

const guest = (vmid: number, name: string): PveGuest => ({
  vmid,
  type: 'qemu',
  node: 'pve1',
  name,
  status: 'running',
  maxcpu: 2,
  maxmem: 2 ** 31,
  maxdisk: 2 ** 34,
  tags: ['prod'],
});

const USAGE = {
  cpu: 0.25,
  mem: 1024,
  disk: 0,
  netin: 10,
  netout: 20,
  diskread: 30,
  diskwrite: 40,
  uptime: 500,
};

const ip = (address: string): IpAddressRecord => ({
  nicName: 'eth0',
  macAddress: 'BC:24:11:00:00:01',
  ipAddress: address,
  ipVersion: 4,
  prefixLength: 24,
  configNic: 'net0',
});

const detailsOf = (address: string): GuestDetails => ({
  description: null,
  agentEnabled: true,
  ipAddresses: packIpAddresses([ip(address)]),
});

function knownOf(states: GuestState[]): KnownInventory {
  const byKey = new Map(states.map((s) => [s.key, s]));
  return {
    node: () => undefined,
    guest: (key) => byKey.get(key),
    storage: () => undefined,
    nodes: () => [],
    guests: () => [...byKey.values()],
    storages: () => [],
  };
}

const listing = (overrides: Partial<InventoryList>): InventoryList => ({
  nodes: [],
  guests: [],
  storages: [],
  unlistedNodes: new Set(),
  unchangedGuests: [],
  guestDigests: [],
  ...overrides,
});

describe('buildCycleStates with unchanged guest rows', () => {
  const before = [
    guestStateFromPve(guest(101, 'web-1'), detailsOf('10.0.0.1'), undefined),
    guestStateFromPve(guest(102, 'web-2'), detailsOf('10.0.0.2'), undefined),
  ];

  it('keeps the known state object of an unchanged row and records its usage', () => {
    const usage = new InventoryUsage();
    const states = buildCycleStates(
      listing({ unchangedGuests: [{ type: 'qemu', vmid: 101, usage: USAGE }] }),
      knownOf(before),
      { details: (key) => (key === 'qemu/101' ? detailsOf('10.0.0.1') : undefined) },
      new Map(),
      usage,
    );
    expect(states.guests).toEqual([before[0]]);
    expect(states.guests[0]).toBe(before[0]);
    expect(states.changedGuests).toEqual([]);
    expect(usage.guests.get('qemu/101')).toMatchObject({ cpuUsage: 0.25, uptime: 500 });
  });

  it('merges details that changed since into an unchanged row', () => {
    const states = buildCycleStates(
      listing({ unchangedGuests: [{ type: 'qemu', vmid: 102 }] }),
      knownOf(before),
      { details: () => detailsOf('10.0.0.99') },
      new Map(),
      new InventoryUsage(),
    );
    const [after] = states.guests;
    expect(after).not.toBe(before[1]);
    expect(unpackIpAddresses(after!.ipAddresses).map((a) => a.ipAddress)).toEqual(['10.0.0.99']);
    expect(after!.name).toBe('web-2');
    expect(after!.hash).not.toBe(before[1]!.hash);
    expect(states.changedGuests).toEqual([[before[1], after]]);
  });

  it('returns the digests of the rows read in full, by key, for the caller to remember', () => {
    const states = buildCycleStates(
      listing({
        guests: [guest(101, 'web-1-renamed')],
        guestDigests: [12345],
        unchangedGuests: [{ type: 'qemu', vmid: 102 }],
      }),
      knownOf(before),
      { details: () => undefined },
      new Map(),
      new InventoryUsage(),
    );
    expect(states.guests.map((g) => g.name)).toEqual(['web-1-renamed', 'web-2']);
    expect([...states.guestDigests]).toEqual([['qemu/101', 12345]]);
  });

  it('lists guests read without a digest (a parsed answer) for their old digests to be forgotten', () => {
    const states = buildCycleStates(
      listing({ guests: [guest(101, 'web-1-renamed')] }),
      knownOf(before),
      { details: () => undefined },
      new Map(),
      new InventoryUsage(),
    );
    expect([...states.guestDigests]).toEqual([['qemu/101', undefined]]);
  });

  it('fails the cycle when a row is reported unchanged for a guest that is not known', () => {
    expect(() =>
      buildCycleStates(
        listing({ unchangedGuests: [{ type: 'lxc', vmid: 300 }] }),
        knownOf(before),
        { details: () => undefined },
        new Map(),
        new InventoryUsage(),
      ),
    ).toThrow(UnknownUnchangedGuestError);
  });
});
