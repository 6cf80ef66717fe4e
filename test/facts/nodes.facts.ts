import type { PveFact } from './fact.js';
import { isInt, label, okData, rowsOf, Violations } from './raw.js';

const FP_A =
  'C2:4A:5F:10:9B:2E:77:81:0D:3C:44:AF:E0:12:9A:BB:5E:61:07:D4:23:98:C0:FE:11:6A:B7:3D:48:9A:5F:F3';
const FP_B =
  '0A:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF';
const FINGERPRINT_RE = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

/** Facts of API.md §4 / §7 GET /nodes. */
export const facts: PveFact[] = [
  {
    id: 'nodes.fields',
    section: '§4 GET /nodes, §7',
    statement:
      'Each /nodes entry has id "node/<name>", node, type "node", status (online|offline|unknown) ' +
      'and ssl_fingerprint (SHA-256, upper-case hex with colons); with RRD data also level ("" ' +
      'without subscription), maxcpu, maxmem, maxdisk, and when online uptime, cpu, mem, disk.',
    request: { method: 'GET', route: '/nodes' },
    scenario: 'healthy',
    samples: [
      {
        name: 'online node',
        era: 'current',
        raw: okData([
          {
            id: 'node/pve1',
            node: 'pve1',
            type: 'node',
            status: 'online',
            ssl_fingerprint: FP_A,
            level: '',
            maxcpu: 16,
            maxmem: 134944063488,
            maxdisk: 100861726720,
            uptime: 1209600,
            cpu: 0.0421,
            mem: 40532987904,
            disk: 9873522688,
          },
        ]),
        expected: {
          kind: 'value',
          value: [
            {
              name: 'pve1',
              status: 'online',
              level: '',
              maxcpu: 16,
              maxmem: 134944063488,
              maxdisk: 100861726720,
              sslFingerprint: FP_A,
              usage: { cpu: 0.0421, mem: 40532987904, disk: 9873522688, uptime: 1209600 },
            },
          ],
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const rows = rowsOf(raw, v);
      v.require(rows.length > 0, 'no nodes');
      rows.forEach((row, i) => {
        const at = label(row, i);
        v.require(typeof row.node === 'string', `${at}: node ${JSON.stringify(row.node)}`);
        v.require(row.id === `node/${String(row.node)}`, `${at}: id ${JSON.stringify(row.id)}`);
        v.require(row.type === 'node', `${at}: type ${JSON.stringify(row.type)}`);
        v.require(
          row.status === 'online' || row.status === 'offline' || row.status === 'unknown',
          `${at}: status ${JSON.stringify(row.status)}`,
        );
        v.require(
          typeof row.ssl_fingerprint === 'string' && FINGERPRINT_RE.test(row.ssl_fingerprint),
          `${at}: ssl_fingerprint ${JSON.stringify(row.ssl_fingerprint)}`,
        );
        if (row.status === 'online') {
          for (const key of ['maxcpu', 'maxmem', 'maxdisk', 'uptime', 'mem', 'disk']) {
            v.require(isInt(row[key]), `${at}: ${key} ${JSON.stringify(row[key])} not a number`);
          }
          v.require(typeof row.cpu === 'number', `${at}: cpu ${JSON.stringify(row.cpu)}`);
          v.require(typeof row.level === 'string', `${at}: level ${JSON.stringify(row.level)}`);
        }
      });
      return v.list;
    },
    counterexamples: [
      okData([{ id: 'pve1', node: 'pve1', type: 'node', status: 'online', ssl_fingerprint: FP_A }]),
      okData([
        { id: 'node/pve1', node: 'pve1', type: 'node', status: 'up', ssl_fingerprint: FP_A },
      ]),
      okData([
        {
          id: 'node/pve1',
          node: 'pve1',
          type: 'node',
          status: 'offline',
          ssl_fingerprint: 'c2:4a:5f',
        },
      ]),
    ],
  },
  {
    id: 'nodes.offline',
    section: '§4 GET /nodes, §5.9',
    statement:
      'An offline node keeps maxcpu/maxmem/maxdisk/level for up to 5 minutes (no uptime, cpu, ' +
      'mem, disk), then only id, node, type, status and ssl_fingerprint remain.',
    request: { method: 'GET', route: '/nodes' },
    scenario: 'offline-node-stale',
    samples: [
      {
        name: 'one recently offline, one offline for long',
        era: 'current',
        raw: okData([
          {
            id: 'node/pve2',
            node: 'pve2',
            type: 'node',
            status: 'offline',
            ssl_fingerprint: FP_B,
            level: '',
            maxcpu: 8,
            maxmem: 67472031744,
            maxdisk: 100861726720,
          },
          { id: 'node/pve3', node: 'pve3', type: 'node', status: 'offline', ssl_fingerprint: FP_A },
        ]),
        expected: {
          kind: 'value',
          value: [
            {
              name: 'pve2',
              status: 'offline',
              level: '',
              maxcpu: 8,
              maxmem: 67472031744,
              maxdisk: 100861726720,
              sslFingerprint: FP_B,
            },
            { name: 'pve3', status: 'offline', sslFingerprint: FP_A },
          ],
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const rows = rowsOf(raw, v);
      const offline = rows.filter((row) => row.status === 'offline');
      v.require(offline.length > 0, 'no offline node in an offline-node-stale scenario');
      rows.forEach((row, i) => {
        if (row.status !== 'offline') return;
        for (const key of ['uptime', 'cpu', 'mem', 'disk']) {
          v.require(row[key] === undefined, `${label(row, i)}: offline node has ${key}`);
        }
      });
      v.require(
        offline.some((row) => row.maxcpu === undefined && row.level === undefined),
        'no offline node past the staleness window (without maxcpu/level)',
      );
      return v.list;
    },
    counterexamples: [
      okData([
        {
          id: 'node/pve3',
          node: 'pve3',
          type: 'node',
          status: 'offline',
          ssl_fingerprint: FP_A,
          uptime: 5,
        },
      ]),
    ],
  },
];
