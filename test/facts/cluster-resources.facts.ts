import type { PveFact } from './fact.js';
import { isFlag, isInt, label, okData, type Row, rowsOf, Violations } from './raw.js';

const KIND_ORDER: Record<string, number> = {
  pool: 0,
  qemu: 1,
  lxc: 1,
  node: 2,
  storage: 3,
  sdn: 4,
  network: 5,
};

function checkGuestRow(row: Row, i: number, v: Violations): void {
  const at = label(row, i);
  v.require(row.type === 'qemu' || row.type === 'lxc', `${at}: type ${JSON.stringify(row.type)}`);
  v.require(isInt(row.vmid), `${at}: vmid ${JSON.stringify(row.vmid)} not a number`);
  v.require(
    row.id === `${String(row.type)}/${String(row.vmid)}`,
    `${at}: id ${JSON.stringify(row.id)}`,
  );
  v.require(typeof row.node === 'string', `${at}: node ${JSON.stringify(row.node)}`);
  v.require(typeof row.status === 'string', `${at}: status ${JSON.stringify(row.status)}`);
  v.require(row.tags === undefined || typeof row.tags === 'string', `${at}: tags not a string`);
  if (row.status === 'unknown') return;
  v.require(typeof row.name === 'string', `${at}: name ${JSON.stringify(row.name)}`);
  v.require(isFlag(row.template), `${at}: template ${JSON.stringify(row.template)}`);
  for (const key of ['maxmem', 'maxdisk', 'mem', 'disk', 'uptime', 'netin', 'netout']) {
    v.require(isInt(row[key]), `${at}: ${key} ${JSON.stringify(row[key])} not a number`);
  }
  for (const key of ['maxcpu', 'cpu']) {
    v.require(typeof row[key] === 'number', `${at}: ${key} ${JSON.stringify(row[key])}`);
  }
}

/** Facts of API.md §4 / §6 / §7 GET /cluster/resources. */
export const facts: PveFact[] = [
  {
    id: 'resources.guest-rows',
    section: '§4 GET /cluster/resources, §6',
    statement:
      'type=vm returns qemu and lxc rows: id "<type>/<vmid>", vmid a number, node, type, status; ' +
      'with RRD data also name, template 0/1, maxcpu, maxmem, maxdisk and usage; lock, tags, ' +
      'pool and hastate when set.',
    request: { method: 'GET', route: '/cluster/resources', query: { type: 'vm' } },
    scenario: 'healthy',
    samples: [
      {
        name: 'a running HA VM in a pool and a locked container',
        era: 'current',
        raw: okData([
          {
            id: 'qemu/101',
            type: 'qemu',
            vmid: 101,
            node: 'pve1',
            status: 'running',
            name: 'web01',
            template: 0,
            uptime: 86400,
            maxcpu: 2,
            cpu: 0.0311,
            maxmem: 4294967296,
            mem: 1073741824,
            maxdisk: 34359738368,
            disk: 0,
            netin: 123456,
            netout: 65432,
            diskread: 1048576,
            diskwrite: 2097152,
            memhost: 1100000000,
            tags: 'prod;web',
            hastate: 'started',
            pool: 'production',
          },
          {
            id: 'lxc/200',
            type: 'lxc',
            vmid: 200,
            node: 'pve2',
            status: 'running',
            name: 'dns',
            template: 0,
            uptime: 120,
            maxcpu: 1,
            cpu: 0,
            maxmem: 536870912,
            mem: 28192768,
            maxdisk: 8589934592,
            disk: 352190464,
            netin: 1024,
            netout: 512,
            diskread: 0,
            diskwrite: 0,
            lock: 'backup',
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
              tags: ['prod', 'web'],
              hastate: 'started',
              pool: 'production',
              usage: {
                cpu: 0.0311,
                mem: 1073741824,
                disk: 0,
                netin: 123456,
                netout: 65432,
                diskread: 1048576,
                diskwrite: 2097152,
                uptime: 86400,
              },
            },
            {
              vmid: 200,
              type: 'lxc',
              node: 'pve2',
              name: 'dns',
              status: 'running',
              template: false,
              maxcpu: 1,
              maxmem: 536870912,
              maxdisk: 8589934592,
              tags: [],
              lock: 'backup',
              usage: {
                cpu: 0,
                mem: 28192768,
                disk: 352190464,
                netin: 1024,
                netout: 512,
                diskread: 0,
                diskwrite: 0,
                uptime: 120,
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
        checkGuestRow(row, i, v);
      });
      v.require(
        rows.some((row) => row.type === 'qemu'),
        'no qemu row',
      );
      v.require(
        rows.some((row) => row.type === 'lxc'),
        'no lxc row',
      );
      return v.list;
    },
    counterexamples: [
      okData([{ id: 'qemu/101', type: 'qemu', vmid: '101', node: 'a', status: 'unknown' }]),
      okData([{ id: '101', type: 'qemu', vmid: 101, node: 'a', status: 'unknown' }]),
      okData([
        { id: 'qemu/101', type: 'qemu', vmid: 101, node: 'a', status: 'running', name: 'x' },
        { id: 'lxc/102', type: 'lxc', vmid: 102, node: 'a', status: 'unknown' },
      ]),
    ],
  },
  {
    id: 'resources.unknown-guest',
    section: '§4 GET /cluster/resources, §5.9',
    statement:
      'Guests of a node offline for longer than the staleness window (5 min) keep id, vmid, ' +
      'node, type and live config members (lock, tags) but become status "unknown" without ' +
      'name, template, max* or usage; a client never invents a name or a template flag.',
    request: { method: 'GET', route: '/cluster/resources', query: { type: 'vm' } },
    scenario: 'offline-node-stale',
    samples: [
      {
        name: 'unknown guest',
        era: 'current',
        raw: okData([
          { id: 'qemu/104', type: 'qemu', vmid: 104, node: 'pve3', status: 'unknown' },
          {
            id: 'lxc/204',
            type: 'lxc',
            vmid: 204,
            node: 'pve3',
            status: 'unknown',
            tags: 'infra',
          },
        ]),
        expected: {
          kind: 'value',
          value: [
            { vmid: 104, type: 'qemu', node: 'pve3', status: 'unknown', tags: [] },
            { vmid: 204, type: 'lxc', node: 'pve3', status: 'unknown', tags: ['infra'] },
          ],
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const rows = rowsOf(raw, v);
      const unknown = rows.filter((row) => row.status === 'unknown');
      v.require(unknown.length > 0, 'no unknown guest in an offline-node-stale scenario');
      rows.forEach((row, i) => {
        if (row.status !== 'unknown') return;
        for (const key of ['name', 'template', 'maxcpu', 'maxmem', 'maxdisk', 'uptime', 'cpu']) {
          v.require(row[key] === undefined, `${label(row, i)}: unknown guest has ${key}`);
        }
      });
      return v.list;
    },
    counterexamples: [
      okData([
        { id: 'qemu/104', type: 'qemu', vmid: 104, node: 'pve3', status: 'unknown', name: 'x' },
      ]),
      okData([{ id: 'qemu/104', type: 'qemu', vmid: 104, node: 'pve3', status: 'stopped' }]),
    ],
  },
  {
    id: 'resources.node-rows',
    section: '§4 GET /cluster/resources',
    statement:
      'type=node rows: id "node/<name>", node, type "node", status; with RRD data level and ' +
      'maxcpu/maxmem/maxdisk; online nodes uptime, cpu, mem, disk; cgroup-mode survives.',
    request: { method: 'GET', route: '/cluster/resources', query: { type: 'node' } },
    scenario: 'healthy',
    samples: [
      {
        name: 'online node',
        era: 'current',
        raw: okData([
          {
            id: 'node/pve1',
            type: 'node',
            node: 'pve1',
            status: 'online',
            level: 'c',
            uptime: 3600,
            cpu: 0.01,
            mem: 2147483648,
            disk: 4294967296,
            maxcpu: 8,
            maxmem: 34359738368,
            maxdisk: 107374182400,
            'cgroup-mode': 2,
          },
        ]),
        expected: {
          kind: 'value',
          value: [
            {
              name: 'pve1',
              status: 'online',
              level: 'c',
              maxcpu: 8,
              maxmem: 34359738368,
              maxdisk: 107374182400,
              usage: { cpu: 0.01, mem: 2147483648, disk: 4294967296, uptime: 3600 },
            },
          ],
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const rows = rowsOf(raw, v);
      v.require(rows.length > 0, 'no node rows');
      rows.forEach((row, i) => {
        const at = label(row, i);
        v.require(row.type === 'node', `${at}: type ${JSON.stringify(row.type)}`);
        v.require(row.id === `node/${String(row.node)}`, `${at}: id ${JSON.stringify(row.id)}`);
        v.require(typeof row.status === 'string', `${at}: no status`);
        if (row.status === 'online') {
          for (const key of ['maxmem', 'maxdisk', 'mem', 'disk', 'uptime']) {
            v.require(isInt(row[key]), `${at}: ${key} ${JSON.stringify(row[key])} not a number`);
          }
        }
      });
      return v.list;
    },
    counterexamples: [okData([{ id: 'node/pve1', type: 'node', node: 'pve1', status: 'online' }])],
  },
  {
    id: 'resources.storage-rows',
    section: '§4 GET /cluster/resources, §5.7',
    statement:
      'type=storage rows: id "storage/<node>/<storage>", storage, node, plugintype, status ' +
      '(available|unknown), shared 0/1, content (comma list, any order), disk (used) and ' +
      'maxdisk (total) with RRD data; a shared storage appears once per node.',
    request: { method: 'GET', route: '/cluster/resources', query: { type: 'storage' } },
    scenario: 'shared-storage',
    samples: [
      {
        name: 'shared pbs on two nodes, local on an offline node',
        era: 'current',
        raw: okData([
          {
            id: 'storage/pve1/pbs1',
            type: 'storage',
            storage: 'pbs1',
            node: 'pve1',
            plugintype: 'pbs',
            status: 'available',
            shared: 1,
            content: 'backup',
            disk: 2660231151616,
            maxdisk: 2717858136064,
          },
          {
            id: 'storage/pve2/pbs1',
            type: 'storage',
            storage: 'pbs1',
            node: 'pve2',
            plugintype: 'pbs',
            status: 'available',
            shared: 1,
            content: 'backup',
            disk: 2660231151616,
            maxdisk: 2717537271808,
          },
          {
            id: 'storage/pve3/local',
            type: 'storage',
            storage: 'local',
            node: 'pve3',
            plugintype: 'dir',
            status: 'unknown',
            shared: 0,
            content: 'vztmpl,iso,backup',
          },
        ]),
        expected: {
          kind: 'value',
          value: [
            {
              node: 'pve1',
              storage: 'pbs1',
              type: 'pbs',
              status: 'available',
              shared: true,
              content: ['backup'],
              total: 2717858136064,
              used: 2660231151616,
              active: true,
              enabled: true,
            },
            {
              node: 'pve2',
              storage: 'pbs1',
              type: 'pbs',
              status: 'available',
              shared: true,
              content: ['backup'],
              total: 2717537271808,
              used: 2660231151616,
              active: true,
              enabled: true,
            },
            {
              node: 'pve3',
              storage: 'local',
              type: 'dir',
              status: 'unknown',
              shared: false,
              content: ['backup', 'iso', 'vztmpl'],
              active: false,
              enabled: true,
            },
          ],
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const rows = rowsOf(raw, v);
      const nodesOfShared = new Map<string, Set<string>>();
      rows.forEach((row, i) => {
        const at = label(row, i);
        v.require(row.type === 'storage', `${at}: type ${JSON.stringify(row.type)}`);
        v.require(
          row.id === `storage/${String(row.node)}/${String(row.storage)}`,
          `${at}: id ${JSON.stringify(row.id)}`,
        );
        v.require(typeof row.plugintype === 'string', `${at}: no plugintype`);
        v.require(
          row.status === 'available' || row.status === 'unknown',
          `${at}: status ${JSON.stringify(row.status)}`,
        );
        v.require(isFlag(row.shared), `${at}: shared ${JSON.stringify(row.shared)}`);
        v.require(typeof row.content === 'string', `${at}: content ${JSON.stringify(row.content)}`);
        if (row.status === 'available') {
          v.require(isInt(row.disk) && isInt(row.maxdisk), `${at}: disk/maxdisk not numbers`);
        }
        if (row.shared === 1) {
          const set = nodesOfShared.get(String(row.storage)) ?? new Set<string>();
          set.add(String(row.node));
          nodesOfShared.set(String(row.storage), set);
        }
      });
      v.require(
        [...nodesOfShared.values()].some((set) => set.size > 1),
        'no shared storage repeated per node in a shared-storage scenario',
      );
      return v.list;
    },
    counterexamples: [
      okData([
        {
          id: 'storage/pbs1',
          type: 'storage',
          storage: 'pbs1',
          node: 'pve1',
          plugintype: 'pbs',
          status: 'available',
          shared: 1,
          content: 'backup',
          disk: 1,
          maxdisk: 2,
        },
      ]),
    ],
  },
  {
    id: 'resources.all-kinds',
    section: '§4 GET /cluster/resources',
    statement:
      'Without `type` all kinds come in this order: pools, guests (sorted by vmid as a string), ' +
      'nodes, storage, sdn, network; a client keeps guests, nodes and storage and tolerates ' +
      'the other kinds.',
    request: { method: 'GET', route: '/cluster/resources' },
    scenario: 'healthy',
    samples: [
      {
        name: 'every kind',
        era: 'current',
        raw: okData([
          { id: '/pool/prod', type: 'pool', pool: 'prod' },
          {
            id: 'qemu/1000',
            type: 'qemu',
            vmid: 1000,
            node: 'pve1',
            status: 'stopped',
            name: 'big',
            template: 0,
            pool: 'prod',
          },
          {
            id: 'qemu/999',
            type: 'qemu',
            vmid: 999,
            node: 'pve1',
            status: 'stopped',
            name: 'small',
            template: 0,
          },
          { id: 'node/pve1', type: 'node', node: 'pve1', status: 'online', 'cgroup-mode': 2 },
          {
            id: 'storage/pve1/local',
            type: 'storage',
            storage: 'local',
            node: 'pve1',
            plugintype: 'dir',
            status: 'available',
            shared: 0,
            content: 'iso',
            disk: 10,
            maxdisk: 100,
          },
          {
            id: 'sdn/pve1/localnetwork',
            type: 'sdn',
            sdn: 'localnetwork',
            node: 'pve1',
            status: 'ok',
          },
          {
            id: 'network/pve1/zone/localnetwork',
            type: 'network',
            'network-type': 'zone',
            network: 'localnetwork',
            node: 'pve1',
            status: 'ok',
          },
        ]),
        expected: {
          kind: 'value',
          value: {
            guests: [
              {
                vmid: 1000,
                type: 'qemu',
                node: 'pve1',
                name: 'big',
                status: 'stopped',
                template: false,
                tags: [],
                pool: 'prod',
              },
              {
                vmid: 999,
                type: 'qemu',
                node: 'pve1',
                name: 'small',
                status: 'stopped',
                template: false,
                tags: [],
              },
            ],
            nodes: [{ name: 'pve1', status: 'online' }],
            storage: [
              {
                node: 'pve1',
                storage: 'local',
                type: 'dir',
                status: 'available',
                shared: false,
                content: ['iso'],
                total: 100,
                used: 10,
                active: true,
                enabled: true,
              },
            ],
          },
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const rows = rowsOf(raw, v);
      let lastRank = -1;
      let lastVmid = '';
      rows.forEach((row, i) => {
        const rank = KIND_ORDER[String(row.type)];
        if (rank === undefined) {
          v.require(false, `${label(row, i)}: type ${JSON.stringify(row.type)}`);
          return;
        }
        v.require(rank >= lastRank, `${label(row, i)}: kind order broken`);
        if (rank === 1) {
          const vmid = String(row.vmid);
          v.require(
            lastRank !== 1 || vmid > lastVmid,
            `${label(row, i)}: not sorted by vmid as a string`,
          );
          lastVmid = vmid;
        }
        lastRank = rank;
      });
      for (const kind of ['qemu', 'node', 'storage']) {
        v.require(
          rows.some((row) => row.type === kind),
          `no ${kind} row`,
        );
      }
      return v.list;
    },
    counterexamples: [
      okData([
        { id: 'node/pve1', type: 'node', node: 'pve1', status: 'online' },
        { id: 'qemu/100', type: 'qemu', vmid: 100, node: 'pve1', status: 'stopped' },
      ]),
      okData([
        { id: 'qemu/999', type: 'qemu', vmid: 999, node: 'pve1', status: 'stopped' },
        { id: 'qemu/1000', type: 'qemu', vmid: 1000, node: 'pve1', status: 'stopped' },
        { id: 'node/pve1', type: 'node', node: 'pve1', status: 'online' },
        { id: 'storage/pve1/l', type: 'storage', storage: 'l', node: 'pve1', status: 'unknown' },
      ]),
    ],
  },
];
