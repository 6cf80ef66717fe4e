import { describe, expect, it } from 'vitest';
import type { IpAddressRecord } from '../../src/db/inventory-records.js';
import {
  ipAddressesJson,
  NO_IP_ADDRESSES,
  packIpAddresses,
  unpackIpAddresses,
} from '../../src/inventory/packed-ip-addresses.js';
import { stableJson } from '../../src/inventory/stable-json.js';

const records: IpAddressRecord[] = [
  {
    nicName: 'eth0',
    macAddress: 'BC:24:11:00:00:01',
    ipAddress: '10.0.0.5',
    ipVersion: 4,
    prefixLength: 24,
    configNic: 'net0',
  },
  {
    nicName: 'eth0',
    macAddress: 'BC:24:11:00:00:01',
    ipAddress: 'fe80::be24:11ff:fe00:1',
    ipVersion: 6,
    prefixLength: 64,
    configNic: 'net0',
  },
  // What an odd agent may report: no MAC, no prefix, no config NIC, a name JSON must escape.
  {
    nicName: 'tun "0"\t\u2028é',
    macAddress: null,
    ipAddress: '100.64.0.1',
    ipVersion: 4,
    prefixLength: null,
    configNic: null,
  },
];

describe('packed IP address lists', () => {
  it('unpack to records equal to those packed, in their order', () => {
    const packed = packIpAddresses(records);
    expect(unpackIpAddresses(packed)).toEqual(records);
    expect(unpackIpAddresses(packed)).not.toBe(unpackIpAddresses(packed));
  });

  it('pack equal lists to equal strings and different lists to different ones', () => {
    expect(packIpAddresses(records.map((r) => ({ ...r })))).toBe(packIpAddresses(records));
    expect(packIpAddresses(records.slice(0, 2))).not.toBe(packIpAddresses(records));
    const readdressed = [{ ...records[0]!, ipAddress: '10.0.0.6' }, ...records.slice(1)];
    expect(packIpAddresses(readdressed)).not.toBe(packIpAddresses(records));
    const unprefixed = [{ ...records[0]!, prefixLength: null }, ...records.slice(1)];
    expect(packIpAddresses(unprefixed)).not.toBe(packIpAddresses(records));
  });

  it('pack an empty list to NO_IP_ADDRESSES, which unpacks to a new empty array', () => {
    expect(packIpAddresses([])).toBe(NO_IP_ADDRESSES);
    const empty = unpackIpAddresses(NO_IP_ADDRESSES);
    expect(empty).toEqual([]);
    empty.push(records[0]!);
    expect(unpackIpAddresses(NO_IP_ADDRESSES)).toEqual([]);
  });

  it('hash as the records would: their stable JSON', () => {
    expect(ipAddressesJson(packIpAddresses(records))).toBe(stableJson(records));
    expect(ipAddressesJson(NO_IP_ADDRESSES)).toBe(stableJson([]));
  });

  it('are smaller than the records they pack', () => {
    // ~75 characters per address instead of a record, two strings and an array slot.
    expect(packIpAddresses(records.slice(0, 1)).length).toBeLessThan(80);
  });
});
