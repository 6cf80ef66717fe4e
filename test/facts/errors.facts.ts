import type { PveFact } from './fact.js';
import { emptyError, expectError, legacyError, okData, pveError, Violations } from './raw.js';

/** Facts of API.md §3: error answers and what a client makes of them. */
export const facts: PveFact[] = [
  {
    id: 'errors.offline-node.proxied',
    section: '§3',
    statement:
      'A call proxied to an offline node fails with 595 (or 596) and an empty body; the reason ' +
      'phrase is the errno text ("Connection refused", "No route to host", …).',
    request: { method: 'GET', route: '/nodes/{node}/qemu', params: { node: 'pve3' } },
    scenario: 'offline-node',
    samples: [
      {
        name: '595 Connection refused',
        era: 'current',
        raw: emptyError(595, 'Connection refused'),
        expected: {
          kind: 'error',
          code: 'PVE_NODE_UNREACHABLE',
          retryable: true,
          messageIncludes: 'Connection refused',
        },
      },
      {
        name: '596 Connection timed out',
        era: 'current',
        raw: emptyError(596, 'Connection timed out'),
        expected: {
          kind: 'error',
          code: 'PVE_NODE_UNREACHABLE',
          retryable: true,
          messageIncludes: 'Connection timed out',
        },
      },
      {
        name: '595 No route to host',
        era: 'current',
        raw: emptyError(595, 'No route to host'),
        expected: { kind: 'error', code: 'PVE_NODE_UNREACHABLE', retryable: true },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      expectError(raw, v, [595, 596], { emptyBody: true });
      return v.list;
    },
    counterexamples: [okData([]), pveError(500, 'Connection refused')],
  },
  {
    id: 'errors.offline-node.storage',
    section: '§3, §5.10',
    statement: 'Every proxied endpoint (here /nodes/{node}/storage) fails the same way: 595/596.',
    request: { method: 'GET', route: '/nodes/{node}/storage', params: { node: 'pve3' } },
    scenario: 'offline-node',
    samples: [
      {
        name: '595 Network is unreachable',
        era: 'current',
        raw: emptyError(595, 'Network is unreachable'),
        expected: { kind: 'error', code: 'PVE_NODE_UNREACHABLE', retryable: true },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      expectError(raw, v, [595, 596], { emptyBody: true });
      return v.list;
    },
    counterexamples: [okData([])],
  },
  {
    id: 'errors.guest-not-on-node',
    section: '§3, §4',
    statement:
      'A config request for a VM whose config lives on another node is a 500 "Configuration file \'nodes/<node>/qemu-server/<vmid>.conf\' does not exist".',
    request: {
      method: 'GET',
      route: '/nodes/{node}/qemu/{vmid}/config',
      params: { node: 'pve1', vmid: '105' },
    },
    scenario: 'guest-not-on-node',
    samples: [
      {
        name: 'current',
        era: 'current',
        raw: pveError(500, "Configuration file 'nodes/pve1/qemu-server/105.conf' does not exist"),
        expected: {
          kind: 'error',
          code: 'PVE_SERVER',
          retryable: false,
          messageIncludes: "Configuration file 'nodes/pve1/qemu-server/105.conf' does not exist",
        },
      },
      {
        name: 'legacy: reason phrase only',
        era: 'legacy',
        raw: legacyError(
          500,
          "Configuration file 'nodes/pve1/qemu-server/105.conf' does not exist",
        ),
        expected: {
          kind: 'error',
          code: 'PVE_SERVER',
          retryable: false,
          messageIncludes: 'does not exist',
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      expectError(raw, v, 500, { text: 'does not exist' });
      return v.list;
    },
    counterexamples: [okData({ digest: 'x' }), emptyError(595, 'Connection refused')],
  },
  {
    id: 'errors.agent.not-running',
    section: '§3, §4, §5.11',
    statement:
      'An agent configured but not answering gives 500 "QEMU guest agent is not running": ' +
      'no IPs known, not an error.',
    request: {
      method: 'GET',
      route: '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces',
      params: { node: 'pve1', vmid: '101' },
    },
    scenario: 'agent-not-running',
    samples: [
      {
        name: 'current',
        era: 'current',
        raw: pveError(500, 'QEMU guest agent is not running'),
        expected: {
          kind: 'value',
          value: {
            kind: 'unavailable',
            reason: 'agent-not-running',
            message: 'QEMU guest agent is not running',
          },
        },
      },
      {
        name: 'legacy: reason phrase only',
        era: 'legacy',
        raw: legacyError(500, 'QEMU guest agent is not running'),
        expected: {
          kind: 'value',
          value: {
            kind: 'unavailable',
            reason: 'agent-not-running',
            message: 'QEMU guest agent is not running',
          },
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      expectError(raw, v, 500, { text: 'QEMU guest agent is not running' });
      return v.list;
    },
    counterexamples: [pveError(500, 'No QEMU guest agent configured'), okData({ result: [] })],
  },
  {
    id: 'errors.agent.not-configured',
    section: '§3, §4',
    statement: 'A VM without an `agent` config key gives 500 "No QEMU guest agent configured".',
    request: {
      method: 'GET',
      route: '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces',
      params: { node: 'pve1', vmid: '102' },
    },
    scenario: 'agent-not-configured',
    samples: [
      {
        name: 'current',
        era: 'current',
        raw: pveError(500, 'No QEMU guest agent configured'),
        expected: {
          kind: 'value',
          value: {
            kind: 'unavailable',
            reason: 'agent-not-configured',
            message: 'No QEMU guest agent configured',
          },
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      expectError(raw, v, 500, { text: 'No QEMU guest agent configured' });
      return v.list;
    },
    counterexamples: [pveError(500, 'QEMU guest agent is not running')],
  },
  {
    id: 'errors.agent.guest-not-running',
    section: '§3, §4',
    statement: 'The agent call for a stopped VM gives 500 "VM <vmid> is not running".',
    request: {
      method: 'GET',
      route: '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces',
      params: { node: 'pve1', vmid: '103' },
    },
    scenario: 'guest-not-running',
    samples: [
      {
        name: 'current',
        era: 'current',
        raw: pveError(500, 'VM 103 is not running'),
        expected: {
          kind: 'value',
          value: {
            kind: 'unavailable',
            reason: 'guest-not-running',
            message: 'VM 103 is not running',
          },
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      expectError(raw, v, 500, { text: 'is not running' });
      return v.list;
    },
    counterexamples: [okData({ result: [] })],
  },
  {
    id: 'errors.agent.qga-failure',
    section: '§3',
    statement:
      'A QGA command error or timeout is a 500 "VM <vmid> qga command \'…\' failed - <desc>"; ' +
      'PVE 6.2 answered 200 with {"result":{"error":…}} instead. Both mean no IPs known.',
    request: {
      method: 'GET',
      route: '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces',
      params: { node: 'pve1', vmid: '104' },
    },
    scenario: 'client-only',
    samples: [
      {
        name: 'qga timeout',
        era: 'current',
        raw: pveError(
          500,
          "VM 104 qga command 'guest-network-get-interfaces' failed - got timeout",
        ),
        expected: {
          kind: 'value',
          value: {
            kind: 'unavailable',
            reason: 'agent-error',
            message: "VM 104 qga command 'guest-network-get-interfaces' failed - got timeout",
          },
        },
      },
      {
        name: 'legacy: 200 with a QGA error object',
        era: 'legacy',
        raw: okData({
          result: {
            error: {
              class: 'Unsupported',
              desc: 'this feature or command is not currently supported',
            },
          },
        }),
        expected: {
          kind: 'value',
          value: {
            kind: 'unavailable',
            reason: 'agent-error',
            message: 'this feature or command is not currently supported',
          },
        },
      },
    ],
  },
  {
    id: 'errors.server.other-5xx',
    section: '§3',
    statement:
      "Other 5xx answers are server errors carrying PVE's message when present; 502/503/504 " +
      '(proxies, restarts) may succeed on retry, a handler error (500) or 501 not.',
    request: { method: 'GET', route: '/cluster/resources' },
    scenario: 'client-only',
    samples: [
      {
        name: '500 handler error with message',
        era: 'current',
        raw: pveError(500, 'cfs-lock timeout'),
        expected: {
          kind: 'error',
          code: 'PVE_SERVER',
          retryable: false,
          messageIncludes: 'cfs-lock timeout',
        },
      },
      {
        name: '501 not implemented',
        era: 'current',
        raw: pveError(501, "Method 'GET /cluster/resourcez' not implemented"),
        expected: {
          kind: 'error',
          code: 'PVE_SERVER',
          retryable: false,
          messageIncludes: 'not implemented',
        },
      },
      {
        name: '502 from a reverse proxy with an HTML body',
        era: 'broken',
        raw: {
          status: 502,
          statusText: 'Bad Gateway',
          headers: { 'content-type': 'text/html' },
          body: '<html><body>502 Bad Gateway</body></html>',
        },
        expected: {
          kind: 'error',
          code: 'PVE_SERVER',
          retryable: true,
          messageIncludes: 'Bad Gateway',
        },
      },
      {
        name: '503 with an empty body',
        era: 'broken',
        raw: emptyError(503, 'Service Unavailable'),
        expected: { kind: 'error', code: 'PVE_SERVER', retryable: true },
      },
    ],
  },
];
