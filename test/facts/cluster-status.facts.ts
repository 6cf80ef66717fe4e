import type { PveFact } from './fact.js';
import { isFlag, isInt, label, okData, rowsOf, Violations } from './raw.js';

/** Facts of API.md §4 / §7 GET /cluster/status. */
export const facts: PveFact[] = [
  {
    id: 'cluster-status.clustered',
    section: '§4 GET /cluster/status, §7',
    statement:
      'A cluster answers one entry {type "cluster", id "cluster", name, nodes, version, quorate ' +
      '0|1} and per member {type "node", id "node/<name>", name, nodeid, local 0|1, online 0|1, ' +
      'ip, level}; exactly one member is local; flags are numbers, never true/false.',
    request: { method: 'GET', route: '/cluster/status' },
    scenario: 'healthy',
    samples: [
      {
        name: 'three nodes, one offline',
        era: 'current',
        raw: okData([
          {
            type: 'node',
            id: 'node/pve2',
            name: 'pve2',
            nodeid: 2,
            local: 0,
            online: 1,
            ip: '10.0.0.12',
            level: '',
          },
          { type: 'cluster', id: 'cluster', name: 'lab', nodes: 3, version: 7, quorate: 1 },
          {
            type: 'node',
            id: 'node/pve1',
            name: 'pve1',
            nodeid: 1,
            local: 1,
            online: 1,
            ip: '10.0.0.11',
            level: 'c',
          },
          {
            type: 'node',
            id: 'node/pve3',
            name: 'pve3',
            nodeid: 3,
            local: 0,
            online: 0,
            level: '',
          },
        ]),
        expected: {
          kind: 'value',
          value: {
            cluster: { name: 'lab', quorate: true, nodeCount: 3, version: 7 },
            nodes: [
              { name: 'pve2', nodeid: 2, online: true, local: false, ip: '10.0.0.12', level: '' },
              { name: 'pve1', nodeid: 1, online: true, local: true, ip: '10.0.0.11', level: 'c' },
              { name: 'pve3', nodeid: 3, online: false, local: false, level: '' },
            ],
          },
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const rows = rowsOf(raw, v);
      const clusters = rows.filter((row) => row.type === 'cluster');
      const members = rows.filter((row) => row.type === 'node');
      v.require(clusters.length === 1, `${clusters.length} cluster entries, expected 1`);
      for (const c of clusters) {
        v.require(c.id === 'cluster', `cluster id ${JSON.stringify(c.id)}`);
        v.require(typeof c.name === 'string', 'cluster without name');
        v.require(isFlag(c.quorate), `quorate ${JSON.stringify(c.quorate)}`);
        v.require(isInt(c.nodes) && c.nodes === members.length, `nodes ${JSON.stringify(c.nodes)}`);
      }
      rows.forEach((row, i) => {
        if (row.type !== 'node') return;
        const at = label(row, i);
        v.require(row.id === `node/${String(row.name)}`, `${at}: id ${JSON.stringify(row.id)}`);
        v.require(isInt(row.nodeid), `${at}: nodeid ${JSON.stringify(row.nodeid)}`);
        v.require(isFlag(row.online), `${at}: online ${JSON.stringify(row.online)}`);
        v.require(isFlag(row.local), `${at}: local ${JSON.stringify(row.local)}`);
      });
      v.require(
        members.filter((row) => row.local === 1).length === 1,
        'not exactly one local node',
      );
      return v.list;
    },
    counterexamples: [
      okData([
        { type: 'cluster', id: 'cluster', name: 'lab', nodes: 1, version: 1, quorate: true },
        { type: 'node', id: 'node/a', name: 'a', nodeid: 1, local: true, online: true },
      ]),
      okData([{ type: 'node', id: 'node/a', name: 'a', nodeid: 1, local: 0, online: 1 }]),
    ],
  },
  {
    id: 'cluster-status.single-node',
    section: '§4 GET /cluster/status',
    statement:
      'A node that is not clustered answers a single node entry with nodeid 0, local 1, ' +
      'online 1 and no cluster entry.',
    request: { method: 'GET', route: '/cluster/status' },
    scenario: 'client-only',
    samples: [
      {
        name: 'standalone',
        era: 'current',
        raw: okData([
          {
            type: 'node',
            id: 'node/solo',
            name: 'solo',
            nodeid: 0,
            local: 1,
            online: 1,
            ip: '192.168.1.5',
            level: '',
          },
        ]),
        expected: {
          kind: 'value',
          value: {
            nodes: [
              { name: 'solo', nodeid: 0, online: true, local: true, ip: '192.168.1.5', level: '' },
            ],
          },
        },
      },
    ],
  },
];
