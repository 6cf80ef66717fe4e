import type { PveFact } from './fact.js';
import { isInt, isObject, label, objectOf, okData, rowsOf, Violations } from './raw.js';

/**
 * Facts of API.md §4 / §5.11 / §7: guest-agent network-get-interfaces and lxc interfaces.
 * A client drops `lo`, 127.0.0.0/8, ::1 and fe80::/10, lower-cases MACs, keeps interfaces
 * without addresses when they have a MAC, and drops interfaces left with neither.
 */
export const facts: PveFact[] = [
  {
    id: 'agent.interfaces',
    section: '§4 GET …/agent/network-get-interfaces, §5.11',
    statement:
      'The answer is {"data":{"result":[…]}}, the raw QGA list: name, hardware-address (may be ' +
      'absent), ip-addresses (absent when the interface has none) of {ip-address, ' +
      'ip-address-type ipv4|ipv6, prefix}, statistics; `lo` included, link-local fe80:: too.',
    request: {
      method: 'GET',
      route: '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces',
      params: { node: 'pve1', vmid: '101' },
    },
    scenario: 'healthy',
    samples: [
      {
        name: 'linux guest with docker and a NIC without address yet',
        era: 'current',
        raw: okData({
          result: [
            {
              name: 'lo',
              'hardware-address': '00:00:00:00:00:00',
              'ip-addresses': [
                { 'ip-address': '127.0.0.1', 'ip-address-type': 'ipv4', prefix: 8 },
                { 'ip-address': '::1', 'ip-address-type': 'ipv6', prefix: 128 },
              ],
              statistics: {
                'rx-bytes': 1200,
                'rx-packets': 12,
                'tx-bytes': 1200,
                'tx-packets': 12,
              },
            },
            {
              name: 'eth0',
              'hardware-address': 'bc:24:11:2e:c5:4a',
              'ip-addresses': [
                { 'ip-address': '10.0.10.21', 'ip-address-type': 'ipv4', prefix: 24 },
                {
                  'ip-address': 'fe80::be24:11ff:fe2e:c54a',
                  'ip-address-type': 'ipv6',
                  prefix: 64,
                },
                { 'ip-address': '2001:db8:10::21', 'ip-address-type': 'ipv6', prefix: 64 },
              ],
            },
            {
              name: 'docker0',
              'hardware-address': '02:42:8f:11:22:33',
              'ip-addresses': [
                { 'ip-address': '172.17.0.1', 'ip-address-type': 'ipv4', prefix: 16 },
              ],
            },
            { name: 'eth1', 'hardware-address': 'bc:24:11:00:00:02' },
          ],
        }),
        expected: {
          kind: 'value',
          value: {
            kind: 'interfaces',
            interfaces: [
              {
                name: 'eth0',
                mac: 'bc:24:11:2e:c5:4a',
                addresses: [
                  { address: '10.0.10.21', prefix: 24, family: 'ipv4' },
                  { address: '2001:db8:10::21', prefix: 64, family: 'ipv6' },
                ],
              },
              {
                name: 'docker0',
                mac: '02:42:8f:11:22:33',
                addresses: [{ address: '172.17.0.1', prefix: 16, family: 'ipv4' }],
              },
              { name: 'eth1', mac: 'bc:24:11:00:00:02', addresses: [] },
            ],
          },
        },
      },
      {
        name: 'windows guest: upper-case MAC, loopback pseudo-interface without MAC',
        era: 'current',
        raw: okData({
          result: [
            {
              name: 'Ethernet',
              'hardware-address': 'BC:24:11:AA:BB:CC',
              'ip-addresses': [
                {
                  'ip-address': 'fe80::1c2d:3e4f:5a6b:7c8d%5',
                  'ip-address-type': 'ipv6',
                  prefix: 64,
                },
                { 'ip-address': '192.168.1.50', 'ip-address-type': 'ipv4', prefix: 24 },
              ],
            },
            {
              name: 'Loopback Pseudo-Interface 1',
              'ip-addresses': [
                { 'ip-address': '::1', 'ip-address-type': 'ipv6', prefix: 128 },
                { 'ip-address': '127.0.0.1', 'ip-address-type': 'ipv4', prefix: 8 },
              ],
            },
          ],
        }),
        expected: {
          kind: 'value',
          value: {
            kind: 'interfaces',
            interfaces: [
              {
                name: 'Ethernet',
                mac: 'bc:24:11:aa:bb:cc',
                addresses: [{ address: '192.168.1.50', prefix: 24, family: 'ipv4' }],
              },
            ],
          },
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const data = objectOf(raw, v);
      if (!data) return v.list;
      if (!v.require(Array.isArray(data.result), 'data.result is not an array')) return v.list;
      const items = data.result as unknown[];
      items.forEach((item, i) => {
        if (!isObject(item)) {
          v.require(false, `result[${i}] not an object`);
          return;
        }
        v.require(typeof item.name === 'string', `result[${i}]: no name`);
        const addresses = item['ip-addresses'];
        if (addresses === undefined) return;
        if (!v.require(Array.isArray(addresses), `result[${i}]: ip-addresses not an array`)) return;
        (addresses as unknown[]).forEach((a, j) => {
          const at = `result[${i}].ip-addresses[${j}]`;
          if (!isObject(a)) {
            v.require(false, `${at} not an object`);
            return;
          }
          v.require(typeof a['ip-address'] === 'string', `${at}: ip-address`);
          v.require(
            a['ip-address-type'] === 'ipv4' || a['ip-address-type'] === 'ipv6',
            `${at}: ip-address-type ${JSON.stringify(a['ip-address-type'])}`,
          );
          v.require(isInt(a.prefix), `${at}: prefix ${JSON.stringify(a.prefix)}`);
        });
      });
      v.require(
        items.some(
          (item) =>
            isObject(item) &&
            Array.isArray(item['ip-addresses']) &&
            (item['ip-addresses'] as unknown[]).some(
              (a) => isObject(a) && (a['ip-address'] === '127.0.0.1' || a['ip-address'] === '::1'),
            ),
        ),
        'no loopback interface (QGA lists it)',
      );
      return v.list;
    },
    counterexamples: [
      okData([{ name: 'eth0' }]),
      okData({
        result: [{ name: 'lo', 'ip-addresses': [{ 'ip-address': '::1', prefix: '128' }] }],
      }),
      okData({ result: [{ name: 'eth0' }] }),
    ],
  },
  {
    id: 'lxc.interfaces',
    section: '§4 GET /nodes/{node}/lxc (interfaces), §7',
    statement:
      'GET /nodes/{node}/lxc/{vmid}/interfaces lists name, hwaddr, inet "a.b.c.d/nn", inet6 ' +
      '(PVE 7/8) and, in the current schema, also hardware-address and ip-addresses like QGA; ' +
      'lo is included.',
    request: {
      method: 'GET',
      route: '/nodes/{node}/lxc/{vmid}/interfaces',
      params: { node: 'pve2', vmid: '200' },
    },
    scenario: 'healthy',
    samples: [
      {
        name: 'current: both forms',
        era: 'current',
        raw: okData([
          {
            name: 'lo',
            hwaddr: '00:00:00:00:00:00',
            'hardware-address': '00:00:00:00:00:00',
            inet: '127.0.0.1/8',
            inet6: '::1/128',
            'ip-addresses': [
              { 'ip-address': '127.0.0.1', 'ip-address-type': 'ipv4', prefix: 8 },
              { 'ip-address': '::1', 'ip-address-type': 'ipv6', prefix: 128 },
            ],
          },
          {
            name: 'eth0',
            hwaddr: 'bc:24:11:3a:7e:01',
            'hardware-address': 'bc:24:11:3a:7e:01',
            inet: '192.168.10.5/24',
            inet6: 'fe80::be24:11ff:fe3a:7e01/64',
            'ip-addresses': [
              { 'ip-address': '192.168.10.5', 'ip-address-type': 'ipv4', prefix: 24 },
              { 'ip-address': '2001:db8:20::5', 'ip-address-type': 'ipv6', prefix: 64 },
              { 'ip-address': 'fe80::be24:11ff:fe3a:7e01', 'ip-address-type': 'ipv6', prefix: 64 },
            ],
          },
        ]),
        expected: {
          kind: 'value',
          value: {
            kind: 'interfaces',
            interfaces: [
              {
                name: 'eth0',
                mac: 'bc:24:11:3a:7e:01',
                addresses: [
                  { address: '192.168.10.5', prefix: 24, family: 'ipv4' },
                  { address: '2001:db8:20::5', prefix: 64, family: 'ipv6' },
                ],
              },
            ],
          },
        },
      },
      {
        name: 'legacy (PVE 7): hwaddr/inet/inet6 only',
        era: 'legacy',
        raw: okData([
          { name: 'lo', hwaddr: '00:00:00:00:00:00', inet: '127.0.0.1/8', inet6: '::1/128' },
          {
            name: 'eth0',
            hwaddr: 'bc:24:11:3a:7e:01',
            inet: '192.168.10.5/24',
            inet6: 'fe80::be24:11ff:fe3a:7e01/64',
          },
          { name: 'eth1', hwaddr: 'bc:24:11:3a:7e:02' },
        ]),
        expected: {
          kind: 'value',
          value: {
            kind: 'interfaces',
            interfaces: [
              {
                name: 'eth0',
                mac: 'bc:24:11:3a:7e:01',
                addresses: [{ address: '192.168.10.5', prefix: 24, family: 'ipv4' }],
              },
              { name: 'eth1', mac: 'bc:24:11:3a:7e:02', addresses: [] },
            ],
          },
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const rows = rowsOf(raw, v);
      rows.forEach((row, i) => {
        const at = label(row, i);
        v.require(typeof row.name === 'string', `${at}: no name`);
        v.require(typeof row.hwaddr === 'string', `${at}: hwaddr ${JSON.stringify(row.hwaddr)}`);
        v.require(
          row.inet === undefined ||
            (typeof row.inet === 'string' && /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(row.inet)),
          `${at}: inet ${JSON.stringify(row.inet)} not "a.b.c.d/nn"`,
        );
      });
      v.require(
        rows.some((row) => row.name === 'lo'),
        'no lo interface',
      );
      return v.list;
    },
    counterexamples: [
      okData([{ name: 'lo', hwaddr: '00:00:00:00:00:00', inet: '127.0.0.1' }]),
      okData({ result: [] }),
    ],
  },
];
