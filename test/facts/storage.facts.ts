import type { PveFact } from './fact.js';
import { isFlag, isInt, label, okData, rowsOf, Violations } from './raw.js';

/** Facts of API.md §4 / §7 GET /nodes/{node}/storage. */
export const facts: PveFact[] = [
  {
    id: 'node-storage.fields',
    section: '§4 GET /nodes/{node}/storage, §7',
    statement:
      'Every storage of storage.cfg the token may see is listed: storage, type (plugin), ' +
      'content (comma list in random order), shared/enabled/active 0|1, total/used/avail bytes; ' +
      'used_fraction only when total > 0; a disabled or unreachable storage stays listed with ' +
      'active 0 and zeros.',
    request: { method: 'GET', route: '/nodes/{node}/storage', params: { node: 'pve1' } },
    scenario: 'healthy',
    samples: [
      {
        name: 'active local, shared nfs that failed to activate, disabled storage',
        era: 'current',
        raw: okData([
          {
            storage: 'local',
            type: 'dir',
            content: 'vztmpl,iso,backup',
            shared: 0,
            enabled: 1,
            active: 1,
            total: 100861726720,
            used: 9873522688,
            avail: 85802287104,
            used_fraction: 0.0979,
          },
          {
            storage: 'nas',
            type: 'nfs',
            content: 'images,backup',
            shared: 1,
            enabled: 1,
            active: 0,
            total: 0,
            used: 0,
            avail: 0,
          },
          {
            storage: 'old-lvm',
            type: 'lvm',
            content: 'rootdir,images',
            shared: 0,
            enabled: 0,
            active: 0,
            total: 0,
            used: 0,
            avail: 0,
          },
        ]),
        expected: {
          kind: 'value',
          value: [
            {
              node: 'pve1',
              storage: 'local',
              type: 'dir',
              status: 'available',
              shared: false,
              content: ['backup', 'iso', 'vztmpl'],
              total: 100861726720,
              used: 9873522688,
              avail: 85802287104,
              active: true,
              enabled: true,
            },
            {
              node: 'pve1',
              storage: 'nas',
              type: 'nfs',
              status: 'unknown',
              shared: true,
              content: ['backup', 'images'],
              total: 0,
              used: 0,
              avail: 0,
              active: false,
              enabled: true,
            },
            {
              node: 'pve1',
              storage: 'old-lvm',
              type: 'lvm',
              status: 'unknown',
              shared: false,
              content: ['images', 'rootdir'],
              total: 0,
              used: 0,
              avail: 0,
              active: false,
              enabled: false,
            },
          ],
        },
      },
      {
        name: 'minimal row (no usage, no shared)',
        era: 'current',
        raw: okData([{ storage: 'cidata', type: 'dir', enabled: 1, content: 'iso', active: 1 }]),
        expected: {
          kind: 'value',
          value: [
            {
              node: 'pve1',
              storage: 'cidata',
              type: 'dir',
              status: 'available',
              shared: false,
              content: ['iso'],
              active: true,
              enabled: true,
            },
          ],
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const rows = rowsOf(raw, v);
      v.require(rows.length > 0, 'no storage');
      rows.forEach((row, i) => {
        const at = label(row, i);
        v.require(typeof row.storage === 'string', `${at}: storage`);
        v.require(typeof row.type === 'string', `${at}: type ${JSON.stringify(row.type)}`);
        v.require(typeof row.content === 'string', `${at}: content ${JSON.stringify(row.content)}`);
        for (const key of ['shared', 'enabled', 'active']) {
          v.require(
            row[key] === undefined || isFlag(row[key]),
            `${at}: ${key} ${JSON.stringify(row[key])}`,
          );
        }
        for (const key of ['total', 'used', 'avail']) {
          v.require(
            row[key] === undefined || typeof row[key] === 'number',
            `${at}: ${key} ${JSON.stringify(row[key])}`,
          );
        }
        if (row.active === 0) {
          v.require(!row.total && !row.used, `${at}: inactive storage with usage`);
        }
        const total = row.total;
        v.require(
          (isInt(total) && total > 0) === (row.used_fraction !== undefined),
          `${at}: used_fraction must be present exactly when total > 0`,
        );
      });
      return v.list;
    },
    counterexamples: [
      okData([{ storage: 'local', type: 'dir', content: ['iso'], enabled: 1, active: 1 }]),
      okData([{ storage: 'local', type: 'dir', content: 'iso', enabled: true, active: 1 }]),
      okData([{ storage: 'local', type: 'dir', content: 'iso', active: 1, total: 5, used: 1 }]),
    ],
  },
];
