import type { PveFact } from './fact.js';
import { isFlag, isInt, label, objectOf, okData, okText, rowsOf, Violations } from './raw.js';

/** Facts of API.md §1.2: PVE does not normalise its output; JSON types follow Perl internals. */
export const facts: PveFact[] = [
  {
    id: 'typing.template.node-qemu-list',
    section: '§1.2',
    statement:
      '`template` in /nodes/{node}/qemu is absent for ordinary VMs and 1 for templates ' +
      '(before qemu-server 7.0-2: "" for ordinary VMs).',
    request: { method: 'GET', route: '/nodes/{node}/qemu', params: { node: 'pve1' } },
    scenario: 'template-guest',
    samples: [
      {
        name: 'current: absent or 1',
        era: 'current',
        raw: okData([
          { vmid: 100, status: 'running', name: 'app', cpus: 2, maxmem: 2147483648, maxdisk: 0 },
          {
            vmid: 9000,
            status: 'stopped',
            name: 'tpl',
            template: 1,
            cpus: 1,
            maxmem: 1073741824,
            maxdisk: 3221225472,
          },
        ]),
        expected: {
          kind: 'value',
          value: [
            {
              vmid: 100,
              type: 'qemu',
              node: 'pve1',
              name: 'app',
              status: 'running',
              template: false,
              maxcpu: 2,
              maxmem: 2147483648,
              maxdisk: 0,
              tags: [],
            },
            {
              vmid: 9000,
              type: 'qemu',
              node: 'pve1',
              name: 'tpl',
              status: 'stopped',
              template: true,
              maxcpu: 1,
              maxmem: 1073741824,
              maxdisk: 3221225472,
              tags: [],
            },
          ],
        },
      },
      {
        name: 'legacy (PVE 6): "" for ordinary VMs, string vmid',
        era: 'legacy',
        raw: okData([{ vmid: '100', status: 'stopped', name: 'old', template: '' }]),
        expected: {
          kind: 'value',
          value: [
            {
              vmid: 100,
              type: 'qemu',
              node: 'pve1',
              name: 'old',
              status: 'stopped',
              template: false,
              tags: [],
            },
          ],
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const rows = rowsOf(raw, v);
      rows.forEach((row, i) => {
        v.require(
          row.template === undefined || row.template === 1,
          `${label(row, i)}: template ${JSON.stringify(row.template)}, expected absent or 1`,
        );
      });
      v.require(
        rows.some((row) => row.template === 1),
        'no row with template: 1 in a template-guest scenario',
      );
      return v.list;
    },
    counterexamples: [
      okData([{ vmid: 100, status: 'stopped', name: 'a', template: 0 }]),
      okData([{ vmid: 100, status: 'stopped', name: 'a' }]),
    ],
  },
  {
    id: 'typing.template.cluster-resources',
    section: '§1.2',
    statement:
      '`template` in /cluster/resources is always present as the number 0 or 1 for guests with ' +
      'RRD data; guests without RRD data (status "unknown") have no template member.',
    request: { method: 'GET', route: '/cluster/resources', query: { type: 'vm' } },
    scenario: 'template-guest',
    samples: [
      {
        name: 'current: 0 and 1',
        era: 'current',
        raw: okData([
          {
            id: 'qemu/100',
            type: 'qemu',
            vmid: 100,
            node: 'pve1',
            status: 'stopped',
            name: 'a',
            template: 0,
            maxcpu: 1,
            maxmem: 536870912,
            maxdisk: 0,
          },
          {
            id: 'qemu/9000',
            type: 'qemu',
            vmid: 9000,
            node: 'pve2',
            status: 'stopped',
            name: 'tpl',
            template: 1,
            maxcpu: 2,
            maxmem: 2147483648,
            maxdisk: 3221225472,
          },
        ]),
        expected: {
          kind: 'value',
          value: [
            {
              vmid: 100,
              type: 'qemu',
              node: 'pve1',
              name: 'a',
              status: 'stopped',
              template: false,
              maxcpu: 1,
              maxmem: 536870912,
              maxdisk: 0,
              tags: [],
            },
            {
              vmid: 9000,
              type: 'qemu',
              node: 'pve2',
              name: 'tpl',
              status: 'stopped',
              template: true,
              maxcpu: 2,
              maxmem: 2147483648,
              maxdisk: 3221225472,
              tags: [],
            },
          ],
        },
      },
      {
        name: 'legacy: "0" as a string (pvestatd wrote "0")',
        era: 'legacy',
        raw: okData([
          {
            id: 'lxc/200',
            type: 'lxc',
            vmid: 200,
            node: 'pve1',
            status: 'running',
            name: 'ct',
            template: '0',
          },
        ]),
        expected: {
          kind: 'value',
          value: [
            {
              vmid: 200,
              type: 'lxc',
              node: 'pve1',
              name: 'ct',
              status: 'running',
              template: false,
              tags: [],
            },
          ],
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const rows = rowsOf(raw, v);
      rows.forEach((row, i) => {
        if (row.status === 'unknown') return;
        v.require(
          isFlag(row.template),
          `${label(row, i)}: template ${JSON.stringify(row.template)}, expected the number 0 or 1`,
        );
      });
      v.require(
        rows.some((row) => row.template === 1),
        'no guest with template: 1 in a template-guest scenario',
      );
      return v.list;
    },
    counterexamples: [
      okData([{ id: 'qemu/1', type: 'qemu', vmid: 1, node: 'a', status: 'stopped', name: 'x' }]),
      okData([
        {
          id: 'qemu/1',
          type: 'qemu',
          vmid: 1,
          node: 'a',
          status: 'stopped',
          name: 'x',
          template: true,
        },
      ]),
    ],
  },
  {
    id: 'typing.template.qemu-config',
    section: '§1.2',
    statement:
      '`template` in a qemu config is the number 1 when set and absent otherwise (config ' +
      'booleans are parsed to numbers).',
    request: {
      method: 'GET',
      route: '/nodes/{node}/qemu/{vmid}/config',
      params: { node: 'pve2', vmid: '9000' },
    },
    scenario: 'template-guest',
    samples: [
      {
        name: 'template config',
        era: 'current',
        raw: okData({ name: 'tpl', template: 1, memory: '2048', cores: 2, digest: 'a1b2c3' }),
        expected: {
          kind: 'value',
          value: {
            name: 'tpl',
            template: true,
            agentEnabled: false,
            tags: [],
            nets: [],
            digest: 'a1b2c3',
          },
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const data = objectOf(raw, v);
      if (data) {
        v.require(data.template === 1, `template ${JSON.stringify(data.template)}, expected 1`);
      }
      return v.list;
    },
    counterexamples: [
      okData({ name: 'tpl', template: true, digest: 'x' }),
      okData({ digest: 'x' }),
    ],
  },
  {
    id: 'typing.vmid.node-qemu-list',
    section: '§1.2',
    statement:
      '`vmid` in /nodes/{node}/qemu is a JSON number (since qemu-server 2021); a string before.',
    request: { method: 'GET', route: '/nodes/{node}/qemu', params: { node: 'pve1' } },
    scenario: 'healthy',
    samples: [
      {
        name: 'current: number',
        era: 'current',
        raw: okData([{ vmid: 101, status: 'stopped', name: 'a' }]),
        expected: {
          kind: 'value',
          value: [
            {
              vmid: 101,
              type: 'qemu',
              node: 'pve1',
              name: 'a',
              status: 'stopped',
              template: false,
              tags: [],
            },
          ],
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      rowsOf(raw, v).forEach((row, i) => {
        v.require(
          isInt(row.vmid),
          `${label(row, i)}: vmid ${JSON.stringify(row.vmid)} not a number`,
        );
      });
      return v.list;
    },
    counterexamples: [okData([{ vmid: '101', status: 'stopped', name: 'a' }])],
  },
  {
    id: 'typing.vmid.node-lxc-list',
    section: '§1.2',
    statement:
      '`vmid` in /nodes/{node}/lxc is a number since pve-container 5.0.10 (PVE 8.2) and the ' +
      'string "103" before; rows carry type "lxc".',
    request: { method: 'GET', route: '/nodes/{node}/lxc', params: { node: 'pve1' } },
    scenario: 'healthy',
    samples: [
      {
        name: 'current: number',
        era: 'current',
        raw: okData([{ vmid: 103, type: 'lxc', status: 'running', name: 'dns', cpus: 1 }]),
        expected: {
          kind: 'value',
          value: [
            {
              vmid: 103,
              type: 'lxc',
              node: 'pve1',
              name: 'dns',
              status: 'running',
              template: false,
              maxcpu: 1,
              tags: [],
            },
          ],
        },
      },
      {
        name: 'legacy (PVE 7): string vmid',
        era: 'legacy',
        raw: okData([{ vmid: '103', type: 'lxc', status: 'running', name: 'dns', cpus: 1 }]),
        expected: {
          kind: 'value',
          value: [
            {
              vmid: 103,
              type: 'lxc',
              node: 'pve1',
              name: 'dns',
              status: 'running',
              template: false,
              maxcpu: 1,
              tags: [],
            },
          ],
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      rowsOf(raw, v).forEach((row, i) => {
        v.require(
          isInt(row.vmid),
          `${label(row, i)}: vmid ${JSON.stringify(row.vmid)} not a number`,
        );
        v.require(row.type === 'lxc', `${label(row, i)}: type ${JSON.stringify(row.type)}`);
      });
      return v.list;
    },
    counterexamples: [okData([{ vmid: '103', type: 'lxc', status: 'running', name: 'dns' }])],
  },
  {
    id: 'typing.numbers.lxc-pve6-strings',
    section: '§1.2',
    statement:
      'PVE 6.x sent LXC numbers as strings ("pid", "disk", "maxdisk"), "lock" and "template" ' +
      'as ""; a client accepts them.',
    request: { method: 'GET', route: '/nodes/{node}/lxc', params: { node: 'pve1' } },
    scenario: 'client-only',
    samples: [
      {
        name: 'legacy (PVE 6)',
        era: 'legacy',
        raw: okData([
          {
            vmid: '114',
            type: 'lxc',
            status: 'running',
            name: 'web',
            pid: '114348',
            disk: '2843205632',
            maxdisk: '8388009984',
            maxmem: '536870912',
            cpus: '1',
            cpu: '0.0123',
            mem: '104857600',
            uptime: '3600',
            lock: '',
            template: '',
          },
        ]),
        expected: {
          kind: 'value',
          value: [
            {
              vmid: 114,
              type: 'lxc',
              node: 'pve1',
              name: 'web',
              status: 'running',
              template: false,
              maxcpu: 1,
              maxmem: 536870912,
              maxdisk: 8388009984,
              tags: [],
              usage: {
                cpu: 0.0123,
                mem: 104857600,
                disk: 2843205632,
                netin: 0,
                netout: 0,
                diskread: 0,
                diskwrite: 0,
                uptime: 3600,
              },
            },
          ],
        },
      },
    ],
  },
  {
    id: 'typing.numbers.storage-exponent',
    section: '§1.2',
    statement:
      '/nodes/{node}/storage total/used/avail are integers but huge values can come in exponent ' +
      'form (3.47726673451418e+15).',
    request: { method: 'GET', route: '/nodes/{node}/storage', params: { node: 'pve1' } },
    scenario: 'healthy',
    samples: [
      {
        name: 'exponent notation',
        era: 'current',
        raw: okText(
          '{"data":[{"storage":"cephfs","type":"cephfs","content":"iso,backup","shared":1,' +
            '"enabled":1,"active":1,"total":3.47726673451418e+15,"used":1.2e+15,' +
            '"avail":2.27726673451418e+15,"used_fraction":0.345}]}',
        ),
        expected: {
          kind: 'value',
          value: [
            {
              node: 'pve1',
              storage: 'cephfs',
              type: 'cephfs',
              status: 'available',
              shared: true,
              content: ['backup', 'iso'],
              total: 3477266734514180,
              used: 1200000000000000,
              avail: 2277266734514180,
              active: true,
              enabled: true,
            },
          ],
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      rowsOf(raw, v).forEach((row, i) => {
        for (const key of ['total', 'used', 'avail']) {
          v.require(
            row[key] === undefined || typeof row[key] === 'number',
            `${label(row, i)}: ${key} ${JSON.stringify(row[key])} not a JSON number`,
          );
        }
      });
      return v.list;
    },
    counterexamples: [
      okData([{ storage: 's', type: 'dir', content: 'iso', total: '100', used: 1, avail: 99 }]),
    ],
  },
  {
    id: 'typing.memory.qemu-config-string',
    section: '§1.2',
    statement:
      'qemu config `memory` is a string ("2048") since qemu-server 8.0.8; integer options ' +
      '(`cores`, `sockets`) are numbers; a client tolerates both.',
    request: {
      method: 'GET',
      route: '/nodes/{node}/qemu/{vmid}/config',
      params: { node: 'pve1', vmid: '100' },
    },
    scenario: 'healthy',
    samples: [
      {
        name: 'current',
        era: 'current',
        raw: okData({ name: 'app', memory: '2048', cores: 2, sockets: 1, digest: 'f00d' }),
        expected: {
          kind: 'value',
          value: {
            name: 'app',
            template: false,
            agentEnabled: false,
            tags: [],
            nets: [],
            digest: 'f00d',
          },
        },
      },
      {
        name: 'legacy: integer memory',
        era: 'legacy',
        raw: okData({ name: 'app', memory: 2048, cores: 2, digest: 'f00d' }),
        expected: {
          kind: 'value',
          value: {
            name: 'app',
            template: false,
            agentEnabled: false,
            tags: [],
            nets: [],
            digest: 'f00d',
          },
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const data = objectOf(raw, v);
      if (data) {
        v.require(
          data.memory === undefined || typeof data.memory === 'string',
          `memory ${JSON.stringify(data.memory)}, expected a string`,
        );
        for (const key of ['cores', 'sockets']) {
          v.require(
            data[key] === undefined || isInt(data[key]),
            `${key} ${JSON.stringify(data[key])}, expected a number`,
          );
        }
        v.require(typeof data.digest === 'string', 'no digest');
      }
      return v.list;
    },
    counterexamples: [okData({ memory: 2048, digest: 'x' }), okData({ cores: '2', digest: 'x' })],
  },
  {
    id: 'typing.tags.split',
    section: '§1.2, §5.5',
    statement:
      '`tags` is one verbatim string, `;`-separated when written by the API; hand-edited ' +
      'configs may use `,` or spaces; a client splits on [;,\\s]+ and drops duplicates.',
    request: { method: 'GET', route: '/nodes/{node}/qemu', params: { node: 'pve1' } },
    scenario: 'tagged-guest',
    samples: [
      {
        name: 'api-written and hand-edited tags',
        era: 'current',
        raw: okData([
          { vmid: 100, status: 'stopped', name: 'a', tags: 'db;prod' },
          { vmid: 101, status: 'stopped', name: 'b', tags: 'one, two;two  three' },
          { vmid: 102, status: 'stopped', name: 'c', tags: '' },
        ]),
        expected: {
          kind: 'value',
          value: [
            {
              vmid: 100,
              type: 'qemu',
              node: 'pve1',
              name: 'a',
              status: 'stopped',
              template: false,
              tags: ['db', 'prod'],
            },
            {
              vmid: 101,
              type: 'qemu',
              node: 'pve1',
              name: 'b',
              status: 'stopped',
              template: false,
              tags: ['one', 'two', 'three'],
            },
            {
              vmid: 102,
              type: 'qemu',
              node: 'pve1',
              name: 'c',
              status: 'stopped',
              template: false,
              tags: [],
            },
          ],
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const rows = rowsOf(raw, v);
      rows.forEach((row, i) => {
        v.require(
          row.tags === undefined || typeof row.tags === 'string',
          `${label(row, i)}: tags ${JSON.stringify(row.tags)}, expected one string`,
        );
      });
      v.require(
        rows.some((row) => typeof row.tags === 'string' && row.tags !== ''),
        'no tagged guest in a tagged-guest scenario',
      );
      return v.list;
    },
    counterexamples: [okData([{ vmid: 100, status: 'stopped', name: 'a', tags: ['a', 'b'] }])],
  },
];
