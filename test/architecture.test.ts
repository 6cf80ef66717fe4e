import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// DESIGN §1: the import direction is the architecture.
const SRC = resolve(import.meta.dirname, '../src');

/** Which top-level parts of src/ each part may import statically ('.' = files directly in src/). */
const ALLOWED: Record<string, string[]> = {
  lib: ['lib'],
  informer: ['lib'],
  proxmox: ['lib'],
  db: ['lib'],
  events: ['lib', 'db'],
  inventory: ['lib', 'informer', 'proxmox', 'db', 'events'],
  graphql: ['lib', 'db', 'events', '.'],
  simulator: ['lib'],
  '.': ['lib', 'db', 'events', 'graphql', 'inventory', 'informer', 'proxmox', '.'],
};

interface Import {
  from: string;
  to: string;
  dynamic: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function partOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? rel.split('/')[0]! : '.';
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const found: Import[] = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)) {
    found.push({ from: file, to: resolve(dirname(file), match[1]!), dynamic: false });
  }
  for (const match of text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)) {
    found.push({ from: file, to: resolve(dirname(file), match[1]!), dynamic: true });
  }
  return found;
}

const files = sourceFiles(SRC);
const imports = files.flatMap(importsOf);

describe('the architecture (DESIGN §1)', () => {
  it('finds the source files and their imports (the checks below are not vacuous)', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(imports.length).toBeGreaterThan(50);
  });

  it('imports only in the allowed directions', () => {
    const violations = imports
      .filter((i) => !i.dynamic)
      .filter((i) => partOf(i.from) !== partOf(i.to))
      .filter((i) => !(ALLOWED[partOf(i.from)] ?? []).includes(partOf(i.to)))
      .map((i) => `${relative(SRC, i.from)} → ${relative(SRC, i.to)}`);
    expect(violations).toEqual([]);
  });

  it('never loads the simulator from the server runtime, only by dynamic import from the entry points', () => {
    const offenders = imports
      .filter((i) => partOf(i.to) === 'simulator' && partOf(i.from) !== 'simulator')
      .filter((i) => !(i.dynamic && ['main.ts', 'demo.ts'].includes(relative(SRC, i.from))))
      .map((i) => relative(SRC, i.from));
    expect(offenders).toEqual([]);
  });

  it('reads process.env only in config.ts', () => {
    const readers = files
      .filter((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .some((line) => /process\.env/.test(line) && !/^\s*(\/\/|\*|\/\*)/.test(line)),
      )
      .map((file) => relative(SRC, file));
    // The MikroORM CLI configuration is its own entry point (the CLI loads it, not the server).
    expect(readers.sort()).toEqual(['config.ts', 'db/mikro-orm.cli.ts']);
  });
});
