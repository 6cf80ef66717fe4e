import { describe, expect, it } from 'vitest';
import { loadFacts, requestPath } from './index.js';

const facts = await loadFacts();

describe('PVE facts table', () => {
  it('loads every *.facts.ts file with unique fact ids', () => {
    expect(facts.length).toBeGreaterThan(20);
    const ids = facts.map((fact) => fact.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every fact a section, a statement and at least one sample', () => {
    for (const fact of facts) {
      expect(fact.section, fact.id).toMatch(/^§\d/);
      expect(fact.statement.length, fact.id).toBeGreaterThan(20);
      expect(fact.samples.length, fact.id).toBeGreaterThan(0);
      expect(() => requestPath(fact), fact.id).not.toThrow();
    }
  });

  it('has a check exactly for the facts a simulator can reproduce', () => {
    for (const fact of facts) {
      expect(fact.check === undefined, fact.id).toBe(fact.scenario === 'client-only');
    }
  });

  for (const fact of facts.filter((f) => f.check)) {
    describe(fact.id, () => {
      for (const sample of fact.samples.filter((s) => s.era === 'current')) {
        it(`current sample "${sample.name}" satisfies the check`, () => {
          expect(fact.check?.(sample.raw)).toEqual([]);
        });
      }
      it('rejects every counterexample', () => {
        expect(fact.counterexamples?.length ?? 0).toBeGreaterThan(0);
        for (const raw of fact.counterexamples ?? []) {
          expect(fact.check?.(raw).length, raw.body).toBeGreaterThan(0);
        }
      });
    });
  }
});
