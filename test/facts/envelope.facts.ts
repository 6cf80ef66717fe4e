import type { PveFact } from './fact.js';
import { dataOf, okData, okText, PVE_HEADERS, Violations } from './raw.js';

/**
 * Facts of API.md §1.1 (the `{"data": …}` envelope) and what a client does with answers that
 * break it: a malformed answer is a PVE_BAD_RESPONSE naming the field, never a partial result.
 */
export const facts: PveFact[] = [
  {
    id: 'envelope.success',
    section: '§1.1',
    statement:
      'A success is HTTP 200 with a JSON object whose `data` member holds the payload; ' +
      'Content-Type application/json;charset=UTF-8; extra members (total, changes) may appear.',
    request: { method: 'GET', route: '/version' },
    scenario: 'healthy',
    samples: [
      {
        name: 'with an extra member',
        era: 'current',
        raw: okText('{"data":{"version":"9.1.2","release":"9.1","repoid":"0123abcd"},"total":1}'),
        expected: {
          kind: 'value',
          value: { version: '9.1.2', release: '9.1', repoid: '0123abcd' },
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      dataOf(raw, v);
      const type = raw.headers?.['content-type'] ?? '';
      v.require(type.startsWith('application/json'), `content-type ${JSON.stringify(type)}`);
      return v.list;
    },
    counterexamples: [
      { status: 200, headers: { ...PVE_HEADERS }, body: '{"version":"9.1.2"}' },
      { status: 200, headers: { 'content-type': 'text/html' }, body: '{"data":{}}' },
    ],
  },
  {
    id: 'envelope.malformed',
    section: '§1.1',
    statement:
      'Answers that are not the envelope (not JSON, truncated, no `data`, `data` of the wrong ' +
      'type) are rejected with PVE_BAD_RESPONSE naming the offending field.',
    request: { method: 'GET', route: '/cluster/resources', query: { type: 'vm' } },
    scenario: 'client-only',
    samples: [
      {
        name: 'HTML instead of JSON',
        era: 'broken',
        raw: {
          status: 200,
          headers: { 'content-type': 'text/html' },
          body: '<html>login</html>',
        },
        expected: { kind: 'error', code: 'PVE_BAD_RESPONSE', retryable: true, field: '(body)' },
      },
      {
        name: 'truncated JSON',
        era: 'broken',
        raw: okText('{"data":[{"id":"qemu/100","type":"qemu","vmid":1'),
        expected: { kind: 'error', code: 'PVE_BAD_RESPONSE', retryable: true, field: '(body)' },
      },
      {
        name: 'empty 200 body',
        era: 'broken',
        raw: okText(''),
        expected: { kind: 'error', code: 'PVE_BAD_RESPONSE', retryable: true, field: '(body)' },
      },
      {
        name: 'no data member',
        era: 'broken',
        raw: okText('{"result":[]}'),
        expected: { kind: 'error', code: 'PVE_BAD_RESPONSE', retryable: false, field: 'data' },
      },
      {
        name: 'data is an object where a list is expected',
        era: 'broken',
        raw: okData({ id: 'qemu/100' }),
        expected: { kind: 'error', code: 'PVE_BAD_RESPONSE', retryable: false, field: 'data' },
      },
      {
        name: 'one row with a vmid that is not a number: the whole list is rejected',
        era: 'broken',
        raw: okData([
          { id: 'qemu/100', type: 'qemu', vmid: 100, node: 'pve1', status: 'running' },
          { id: 'qemu/abc', type: 'qemu', vmid: 'abc', node: 'pve1', status: 'running' },
        ]),
        expected: {
          kind: 'error',
          code: 'PVE_BAD_RESPONSE',
          retryable: false,
          field: 'data[1].vmid',
        },
      },
      {
        name: 'a row without node',
        era: 'broken',
        raw: okData([{ id: 'lxc/200', type: 'lxc', vmid: 200, status: 'running' }]),
        expected: {
          kind: 'error',
          code: 'PVE_BAD_RESPONSE',
          retryable: false,
          field: 'data[0].node',
        },
      },
      {
        name: 'a row that is not an object',
        era: 'broken',
        raw: okData(['qemu/100']),
        expected: { kind: 'error', code: 'PVE_BAD_RESPONSE', retryable: false, field: 'data[0]' },
      },
      {
        name: 'a boolean flag that cannot be coerced',
        era: 'broken',
        raw: okData([
          {
            id: 'qemu/100',
            type: 'qemu',
            vmid: 100,
            node: 'pve1',
            status: 'running',
            template: 'maybe',
          },
        ]),
        expected: {
          kind: 'error',
          code: 'PVE_BAD_RESPONSE',
          retryable: false,
          field: 'data[0].template',
        },
      },
    ],
  },
];
