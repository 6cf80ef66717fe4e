import { describe, expect, it } from 'vitest';
import {
  filterInterfaces,
  isUsableAddress,
  matchInterfacesToNets,
  normalizeMac,
} from '../../src/proxmox/agent-ips.js';

describe('agent IP filtering', () => {
  it.each([
    ['10.0.0.5', 'ipv4', true],
    ['172.17.0.1', 'ipv4', true],
    ['127.0.0.1', 'ipv4', false],
    ['127.53.0.1', 'ipv4', false],
    ['128.0.0.1', 'ipv4', true],
    ['::1', 'ipv6', false],
    ['0:0:0:0:0:0:0:1', 'ipv6', false],
    ['fe80::be24:11ff:fe2e:c54a', 'ipv6', false],
    ['febf::1', 'ipv6', false],
    ['fec0::1', 'ipv6', true],
    ['fe80::1%eth0', 'ipv6', false],
    ['2001:db8:10::21', 'ipv6', true],
    ['10.0.0.5', 'ipv6', false],
    ['not-an-ip', 'ipv4', false],
  ] as const)('isUsableAddress(%s, %s) is %s', (address, family, usable) => {
    expect(isUsableAddress(address, family)).toBe(usable);
  });

  it('drops lo, unusable and duplicate addresses, all-zero MACs and empty interfaces', () => {
    expect(
      filterInterfaces([
        {
          name: 'lo',
          mac: '00:00:00:00:00:00',
          addresses: [{ address: '10.9.9.9', prefix: 8, family: 'ipv4' }],
        },
        {
          name: 'eth0',
          mac: 'bc:24:11:00:00:01',
          addresses: [
            { address: '10.0.0.5', prefix: 24, family: 'ipv4' },
            { address: '10.0.0.5', prefix: 24, family: 'ipv4' },
            { address: 'fe80::1', prefix: 64, family: 'ipv6' },
          ],
        },
        { name: 'tun0', mac: '00:00:00:00:00:00', addresses: [] },
        { name: 'wg0', addresses: [{ address: '10.8.0.2', prefix: 24, family: 'ipv4' }] },
      ]),
    ).toEqual([
      {
        name: 'eth0',
        mac: 'bc:24:11:00:00:01',
        addresses: [{ address: '10.0.0.5', prefix: 24, family: 'ipv4' }],
      },
      { name: 'wg0', addresses: [{ address: '10.8.0.2', prefix: 24, family: 'ipv4' }] },
    ]);
  });
});

describe('MAC matching', () => {
  it.each([
    ['BC:24:11:2E:C5:4A', 'bc:24:11:2e:c5:4a'],
    ['bc-24-11-2e-c5-4a', 'bc:24:11:2e:c5:4a'],
    ['bc:24:11:2e:c5', undefined],
    ['', undefined],
  ])('normalizeMac(%j) is %j', (input, expected) => {
    expect(normalizeMac(input)).toBe(expected);
  });

  it('pairs agent interfaces with config NICs by MAC regardless of case', () => {
    const matched = matchInterfacesToNets(
      [
        { name: 'eth0', mac: 'bc:24:11:2e:c5:4a', addresses: [] },
        { name: 'docker0', mac: '02:42:8f:11:22:33', addresses: [] },
        { name: 'ens19', mac: 'bc:24:11:00:00:02', addresses: [] },
      ],
      [
        { id: 'net0', mac: 'BC:24:11:2E:C5:4A' },
        { id: 'net1', hwaddr: 'BC:24:11:00:00:02' },
      ],
    );
    expect(matched.map((i) => [i.name, i.netId])).toEqual([
      ['eth0', 'net0'],
      ['docker0', undefined],
      ['ens19', 'net1'],
    ]);
  });
});
