import type { PveFact } from './fact.js';
import { objectOf, okData, Violations } from './raw.js';

/** Facts of API.md §4 / §7 GET /version. */
export const facts: PveFact[] = [
  {
    id: 'version.fields',
    section: '§4 GET /version, §7',
    statement:
      '/version always has the strings `version`, `release` and `repoid` (8–16 hex digits); ' +
      '`console` only when set; PVE <= 7.0 copied every datacenter.cfg key in (e.g. `keyboard`).',
    request: { method: 'GET', route: '/version' },
    scenario: 'healthy',
    samples: [
      {
        name: 'current',
        era: 'current',
        raw: okData({ version: '9.1.2', release: '9.1', repoid: '5d9a03c1e2f4b6a8' }),
        expected: {
          kind: 'value',
          value: { version: '9.1.2', release: '9.1', repoid: '5d9a03c1e2f4b6a8' },
        },
      },
      {
        name: 'current with console',
        era: 'current',
        raw: okData({ version: '8.4.1', release: '8.4', repoid: '2a5fa54a', console: 'xtermjs' }),
        expected: {
          kind: 'value',
          value: { version: '8.4.1', release: '8.4', repoid: '2a5fa54a' },
        },
      },
      {
        name: 'legacy (PVE 6.2): datacenter.cfg keys copied in',
        era: 'legacy',
        raw: okData({ version: '6.2-11', keyboard: 'de', release: '6.2', repoid: '1a2b3c4d' }),
        expected: {
          kind: 'value',
          value: { version: '6.2-11', release: '6.2', repoid: '1a2b3c4d' },
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const data = objectOf(raw, v);
      if (data) {
        for (const key of ['version', 'release']) {
          v.require(typeof data[key] === 'string', `${key} ${JSON.stringify(data[key])}`);
        }
        v.require(
          typeof data.repoid === 'string' && /^[0-9a-fA-F]{8,16}$/.test(data.repoid),
          `repoid ${JSON.stringify(data.repoid)}, expected 8-16 hex digits`,
        );
      }
      return v.list;
    },
    counterexamples: [
      okData({ version: '9.1.2', release: '9.1' }),
      okData({ version: 9.1, release: '9.1', repoid: '0123abcd' }),
    ],
  },
  {
    id: 'version.missing-field',
    section: '§7',
    statement: 'A /version answer without `release` is malformed (the schema marks it required).',
    request: { method: 'GET', route: '/version' },
    scenario: 'client-only',
    samples: [
      {
        name: 'no release',
        era: 'broken',
        raw: okData({ version: '9.1.2', repoid: '0123abcd' }),
        expected: {
          kind: 'error',
          code: 'PVE_BAD_RESPONSE',
          retryable: false,
          field: 'data.release',
        },
      },
    ],
  },
];
