/**
 * The PVE facts table: what real Proxmox VE sends, taken from shared/pve/API.md (§1.2 typing,
 * §2 auth, §3 errors, §4 endpoints, §7 schemas), shared by two kinds of tests:
 *
 * - the client's tests (test/proxmox/facts.test.ts) replay every sample's raw answer to the
 *   client and compare what it returns or throws with `sample.expected`;
 * - the simulator's tests put the simulator in `fact.scenario`, send `fact.request` and pass
 *   the raw answer to `fact.check(raw)`, which returns the violations (`[]` = faithful).
 *
 * Structure (stable; see ./fact.ts for the types):
 * - every `*.facts.ts` file in this folder exports `facts: PveFact[]`; `loadFacts()` finds them
 *   all, so a new file needs no registration here. Files by their owner:
 *   typing / envelope / auth / errors / version / nodes / cluster-resources / cluster-status /
 *   node-guests / storage / guest-config / guest-interfaces `.facts.ts` (client engineer); others
 *   may be added by the simulator engineer.
 * - `expected` values are the normalised objects of src/proxmox (guests, nodes, storage, …):
 *   compared with vitest `toEqual`, so an `undefined` member equals an absent one.
 * - a fact: `id` (unique, stable), `section` (API.md), `statement`, `request` (route template +
 *   sample params + query), `scenario` (server state, see `Scenario`), `samples` (raw answers
 *   written from the fact, never copied from captures, each with `era` and `expected`),
 *   `check` (absent for `client-only` facts) and `counterexamples` (answers `check` rejects).
 * - ./raw.ts holds the builders for raw answers (`okData`, `okText`, `pveError`,
 *   `legacyError`, `emptyError`) and the helpers checks use (`Violations`, `rowsOf`, …).
 * - test/facts/facts.test.ts holds the table to itself: unique ids, every `current` sample
 *   satisfies its fact's `check`, every counterexample violates it.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PveFact } from './fact.js';

export type {
  Expected,
  FactRequest,
  FactRoute,
  FactSample,
  PveFact,
  RawResponse,
  Scenario,
} from './fact.js';

const FACTS_DIR = fileURLToPath(new URL('.', import.meta.url));

/**
 * loadFacts imports every `*.facts.ts` module of this folder (sorted by file name) and returns
 * their facts concatenated. It throws when a module does not export a `facts` array.
 */
export async function loadFacts(): Promise<PveFact[]> {
  const files = readdirSync(FACTS_DIR)
    .filter((name) => name.endsWith('.facts.ts'))
    .sort();
  const all: PveFact[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(`${FACTS_DIR}${file}`).href)) as { facts?: unknown };
    if (!Array.isArray(mod.facts)) throw new Error(`${file} does not export a facts array`);
    all.push(...(mod.facts as PveFact[]));
  }
  return all;
}

/** requestPath fills a fact's route with its params: `/nodes/{node}/qemu` → `/nodes/pve1/qemu`. */
export function requestPath(fact: PveFact, params = fact.request.params ?? {}): string {
  return fact.request.route.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`fact ${fact.id}: no value for {${key}}`);
    return encodeURIComponent(value);
  });
}
