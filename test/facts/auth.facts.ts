import type { PveFact } from './fact.js';
import {
  emptyError,
  expectError,
  legacyError,
  okData,
  pveError,
  rowsOf,
  Violations,
} from './raw.js';

/** Facts of API.md §2: token authentication, bad credentials and privileges. */
export const facts: PveFact[] = [
  {
    id: 'auth.no-credentials',
    section: '§2.2',
    statement: 'Without ticket and token PVE answers 401, reason "No ticket", with an empty body.',
    request: { method: 'GET', route: '/version' },
    scenario: 'no-credentials',
    samples: [
      {
        name: '401 No ticket',
        era: 'current',
        raw: emptyError(401, 'No ticket'),
        expected: {
          kind: 'error',
          code: 'PVE_AUTH',
          retryable: false,
          messageIncludes: 'No ticket',
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      expectError(raw, v, 401, { emptyBody: true, text: 'No ticket' });
      return v.list;
    },
    counterexamples: [
      pveError(401, 'No ticket'),
      emptyError(403, 'No ticket'),
      okData({ version: '9.1.2', release: '9.1', repoid: '0123abcd' }),
    ],
  },
  {
    id: 'auth.invalid-token',
    section: '§2.1, §2.2',
    statement:
      'A wrong token secret or unknown token gives 401 with an empty body; since pve-manager ' +
      '9.1.5 the reason is "Authentication failed!", before it named the cause.',
    request: { method: 'GET', route: '/cluster/resources' },
    scenario: 'invalid-token',
    samples: [
      {
        name: 'current (>= 9.1.5)',
        era: 'current',
        raw: emptyError(401, 'Authentication failed!'),
        expected: {
          kind: 'error',
          code: 'PVE_AUTH',
          retryable: false,
          messageIncludes: 'Authentication failed!',
        },
      },
      {
        name: 'legacy: invalid token value',
        era: 'legacy',
        raw: emptyError(401, 'invalid token value!'),
        expected: {
          kind: 'error',
          code: 'PVE_AUTH',
          retryable: false,
          messageIncludes: 'invalid token value!',
        },
      },
      {
        name: 'legacy: unknown token',
        era: 'legacy',
        raw: emptyError(401, "no such token 'sync' for user 'inventory@pve'"),
        expected: {
          kind: 'error',
          code: 'PVE_AUTH',
          retryable: false,
          messageIncludes: 'no such token',
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      expectError(raw, v, 401, { emptyBody: true });
      return v.list;
    },
    counterexamples: [okData([]), pveError(500, 'invalid token value!')],
  },
  {
    id: 'auth.forbidden.cluster-status',
    section: '§2.4',
    statement:
      '/cluster/status needs Sys.Audit on /; without it PVE answers 403 "Permission check ' +
      'failed (/, Sys.Audit)" (message in the body since libpve-http-server-perl 5.2.0).',
    request: { method: 'GET', route: '/cluster/status' },
    scenario: 'missing-privilege',
    samples: [
      {
        name: 'current: message in body and reason',
        era: 'current',
        raw: pveError(403, 'Permission check failed (/, Sys.Audit)'),
        expected: {
          kind: 'error',
          code: 'PVE_FORBIDDEN',
          retryable: false,
          messageIncludes: 'Permission check failed (/, Sys.Audit)',
        },
      },
      {
        name: 'legacy: {"data":null}, text in the reason phrase only',
        era: 'legacy',
        raw: legacyError(403, 'Permission check failed (/, Sys.Audit)'),
        expected: {
          kind: 'error',
          code: 'PVE_FORBIDDEN',
          retryable: false,
          messageIncludes: 'Permission check failed (/, Sys.Audit)',
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      expectError(raw, v, 403, { text: 'Permission check failed' });
      return v.list;
    },
    counterexamples: [okData([]), emptyError(401, 'No ticket')],
  },
  {
    id: 'auth.forbidden.qemu-config',
    section: '§2.4',
    statement: 'A qemu config without VM.Audit on /vms/{vmid} is a 403, not an empty answer.',
    request: {
      method: 'GET',
      route: '/nodes/{node}/qemu/{vmid}/config',
      params: { node: 'pve1', vmid: '100' },
    },
    scenario: 'missing-privilege',
    samples: [
      {
        name: '403 VM.Audit',
        era: 'current',
        raw: pveError(403, 'Permission check failed (/vms/100, VM.Audit)'),
        expected: {
          kind: 'error',
          code: 'PVE_FORBIDDEN',
          retryable: false,
          messageIncludes: '/vms/100, VM.Audit',
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      expectError(raw, v, 403, { text: 'VM.Audit' });
      return v.list;
    },
    counterexamples: [okData({ digest: 'x' })],
  },
  {
    id: 'auth.forbidden.agent',
    section: '§2.4',
    statement:
      'The guest-agent call needs VM.GuestAgent.Audit (PVE 9) or VM.Monitor (before); without ' +
      'it a 403 — an error, not "no IPs known".',
    request: {
      method: 'GET',
      route: '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces',
      params: { node: 'pve1', vmid: '101' },
    },
    scenario: 'missing-privilege',
    samples: [
      {
        name: '403 guest agent privilege',
        era: 'current',
        raw: pveError(
          403,
          'Permission check failed (/vms/101, VM.GuestAgent.Audit|VM.GuestAgent.Unrestricted)',
        ),
        expected: { kind: 'error', code: 'PVE_FORBIDDEN', retryable: false },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      expectError(raw, v, 403, { text: 'Permission check failed' });
      return v.list;
    },
    counterexamples: [pveError(500, 'QEMU guest agent is not running')],
  },
  {
    id: 'auth.filtered-list',
    section: '§2.4',
    statement:
      'List endpoints filter silently: a token without VM.Audit gets 200 {"data":[]} from ' +
      '/cluster/resources?type=vm (so an empty list is no proof that guests were deleted).',
    request: { method: 'GET', route: '/cluster/resources', query: { type: 'vm' } },
    scenario: 'missing-privilege',
    samples: [
      {
        name: 'empty list',
        era: 'current',
        raw: okData([]),
        expected: { kind: 'value', value: [] },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const rows = rowsOf(raw, v);
      v.require(rows.length === 0, `${rows.length} guests visible without VM.Audit`);
      return v.list;
    },
    counterexamples: [
      pveError(403, 'Permission check failed (/vms/100, VM.Audit)'),
      okData([{ id: 'qemu/100', type: 'qemu', vmid: 100, node: 'pve1', status: 'running' }]),
    ],
  },
];
