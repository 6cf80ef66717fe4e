import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SIMULATOR_DIR = fileURLToPath(new URL('../../src/simulator/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the simulator stands on its own', () => {
  const files = sources(SIMULATOR_DIR);

  it("never imports the PVE client (it reproduces PVE's raw behaviour independently)", () => {
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.filter((file) =>
      /from\s+['"][^'"]*\/proxmox\//.test(readFileSync(file, 'utf8')),
    );
    expect(offenders.map((file) => relative(SIMULATOR_DIR, file))).toEqual([]);
  });

  it('imports nothing from the server besides src/lib', () => {
    const offenders = files.filter((file) => {
      const imports = [...readFileSync(file, 'utf8').matchAll(/from\s+['"](\.\.\/[^'"]+)['"]/g)];
      return imports.some(([, spec]) => {
        const resolved = join(file, '..', spec ?? '');
        return !resolved.startsWith(SIMULATOR_DIR) && !resolved.includes('/src/lib/');
      });
    });
    expect(offenders.map((file) => relative(SIMULATOR_DIR, file))).toEqual([]);
  });

  it('draws its randomness from the seeded generator, never Math.random', () => {
    const offenders = files.filter((file) => /Math\.random\s*\(/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
