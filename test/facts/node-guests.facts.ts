import type { PveFact } from './fact.js';
import { isInt, label, okData, rowsOf, Violations } from './raw.js';

/** Facts of API.md §4 / §7 GET /nodes/{node}/qemu and /nodes/{node}/lxc. */
export const facts: PveFact[] = [
  {
    id: 'node-qemu.fields',
    section: '§4 GET /nodes/{node}/qemu, §7',
    statement:
      'Each VM row has vmid, status (running|stopped), name ("VM <vmid>" when unset), cpus, ' +
      'maxmem, maxdisk, uptime, cpu, mem, netin, netout; lock only when locked, tags only when ' +
      'set; no `node` and no `type` member (the node is the one in the URL).',
    request: { method: 'GET', route: '/nodes/{node}/qemu', params: { node: 'pve1' } },
    scenario: 'healthy',
    samples: [
      {
        name: 'running VM being migrated, stopped VM without a name in config',
        era: 'current',
        raw: okData([
          {
            vmid: 101,
            status: 'running',
            name: 'web01',
            cpus: 2,
            maxmem: 4294967296,
            maxdisk: 34359738368,
            disk: 0,
            uptime: 500,
            cpu: 0.02,
            mem: 1073741824,
            memhost: 1100000000,
            netin: 1000,
            netout: 2000,
            pid: 4242,
            lock: 'migrate',
            tags: 'web',
          },
          {
            vmid: 102,
            status: 'stopped',
            name: 'VM 102',
            cpus: 1,
            maxmem: 536870912,
            maxdisk: 0,
            disk: 0,
            uptime: 0,
            cpu: 0,
            mem: 0,
            netin: 0,
            netout: 0,
          },
        ]),
        expected: {
          kind: 'value',
          value: [
            {
              vmid: 101,
              type: 'qemu',
              node: 'pve1',
              name: 'web01',
              status: 'running',
              template: false,
              maxcpu: 2,
              maxmem: 4294967296,
              maxdisk: 34359738368,
              tags: ['web'],
              lock: 'migrate',
              usage: {
                cpu: 0.02,
                mem: 1073741824,
                disk: 0,
                netin: 1000,
                netout: 2000,
                diskread: 0,
                diskwrite: 0,
                uptime: 500,
              },
            },
            {
              vmid: 102,
              type: 'qemu',
              node: 'pve1',
              name: 'VM 102',
              status: 'stopped',
              template: false,
              maxcpu: 1,
              maxmem: 536870912,
              maxdisk: 0,
              tags: [],
              usage: {
                cpu: 0,
                mem: 0,
                disk: 0,
                netin: 0,
                netout: 0,
                diskread: 0,
                diskwrite: 0,
                uptime: 0,
              },
            },
          ],
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const rows = rowsOf(raw, v);
      rows.forEach((row, i) => {
        const at = label(row, i);
        v.require(isInt(row.vmid), `${at}: vmid ${JSON.stringify(row.vmid)}`);
        v.require(
          row.status === 'running' || row.status === 'stopped',
          `${at}: status ${JSON.stringify(row.status)}`,
        );
        v.require(typeof row.name === 'string' && row.name !== '', `${at}: name missing`);
        v.require(row.node === undefined, `${at}: has a node member`);
        v.require(row.type === undefined, `${at}: has a type member`);
        v.require(row.lock === undefined || typeof row.lock === 'string', `${at}: lock`);
        for (const key of ['maxmem', 'maxdisk', 'uptime', 'mem', 'netin', 'netout']) {
          v.require(isInt(row[key]), `${at}: ${key} ${JSON.stringify(row[key])} not a number`);
        }
        v.require(typeof row.cpus === 'number', `${at}: cpus ${JSON.stringify(row.cpus)}`);
        if (row.status === 'stopped') {
          v.require(row.pid === undefined, `${at}: stopped VM with a pid`);
        }
      });
      return v.list;
    },
    counterexamples: [
      okData([
        {
          vmid: 1,
          status: 'stopped',
          name: 'x',
          node: 'pve1',
          cpus: 1,
          maxmem: 1,
          maxdisk: 0,
          uptime: 0,
          mem: 0,
          netin: 0,
          netout: 0,
        },
      ]),
      okData([
        {
          vmid: 1,
          status: 'paused',
          name: 'x',
          cpus: 1,
          maxmem: 1,
          maxdisk: 0,
          uptime: 0,
          mem: 0,
          netin: 0,
          netout: 0,
        },
      ]),
    ],
  },
  {
    id: 'node-lxc.fields',
    section: '§4 GET /nodes/{node}/lxc, §7',
    statement:
      'Each container row has vmid, type "lxc", status, name (hostname or "CT<vmid>"), cpus, ' +
      'maxmem, maxswap, maxdisk, disk, mem, swap, uptime, cpu, netin/netout, diskread/diskwrite; ' +
      'no node member.',
    request: { method: 'GET', route: '/nodes/{node}/lxc', params: { node: 'pve2' } },
    scenario: 'healthy',
    samples: [
      {
        name: 'running container',
        era: 'current',
        raw: okData([
          {
            vmid: 200,
            type: 'lxc',
            status: 'running',
            name: 'dns',
            cpus: 2,
            maxmem: 1073741824,
            maxswap: 536870912,
            maxdisk: 8589934592,
            disk: 1073741824,
            mem: 52428800,
            swap: 0,
            uptime: 7200,
            cpu: 0.001,
            netin: 4096,
            netout: 2048,
            diskread: 1000,
            diskwrite: 2000,
            pid: 1234,
            tags: 'infra;dns',
          },
        ]),
        expected: {
          kind: 'value',
          value: [
            {
              vmid: 200,
              type: 'lxc',
              node: 'pve2',
              name: 'dns',
              status: 'running',
              template: false,
              maxcpu: 2,
              maxmem: 1073741824,
              maxdisk: 8589934592,
              tags: ['infra', 'dns'],
              usage: {
                cpu: 0.001,
                mem: 52428800,
                disk: 1073741824,
                netin: 4096,
                netout: 2048,
                diskread: 1000,
                diskwrite: 2000,
                uptime: 7200,
              },
            },
          ],
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      rowsOf(raw, v).forEach((row, i) => {
        const at = label(row, i);
        v.require(isInt(row.vmid), `${at}: vmid ${JSON.stringify(row.vmid)}`);
        v.require(row.type === 'lxc', `${at}: type ${JSON.stringify(row.type)}`);
        v.require(typeof row.name === 'string' && row.name !== '', `${at}: name missing`);
        v.require(row.node === undefined, `${at}: has a node member`);
        for (const key of ['maxmem', 'maxswap', 'maxdisk', 'disk', 'mem', 'uptime']) {
          v.require(isInt(row[key]), `${at}: ${key} ${JSON.stringify(row[key])} not a number`);
        }
      });
      return v.list;
    },
    counterexamples: [
      okData([
        {
          vmid: 200,
          status: 'running',
          name: 'dns',
          maxmem: 1,
          maxswap: 1,
          maxdisk: 1,
          disk: 1,
          mem: 1,
          uptime: 1,
        },
      ]),
    ],
  },
];
