import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { startScript } from '../../bench/support/server-process.js';
import {
  MALLOC_THRESHOLDS,
  MALLOC_THRESHOLDS_ENV,
  mallocThresholdsFixed,
} from '../../src/lib/malloc-thresholds.js';

describe('mallocThresholdsFixed', () => {
  it('needs both thresholds, by MALLOC_*_ variables or GLIBC_TUNABLES', () => {
    expect(mallocThresholdsFixed({})).toBe(false);
    expect(mallocThresholdsFixed({ ...MALLOC_THRESHOLDS })).toBe(true);
    expect(mallocThresholdsFixed({ MALLOC_TRIM_THRESHOLD_: '131072' })).toBe(false);
    expect(mallocThresholdsFixed({ MALLOC_TRIM_THRESHOLD_: '', MALLOC_MMAP_THRESHOLD_: '1' })).toBe(
      false,
    );
    expect(
      mallocThresholdsFixed({
        GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.trim_threshold=65536',
        MALLOC_MMAP_THRESHOLD_: '65536',
      }),
    ).toBe(true);
    expect(
      mallocThresholdsFixed({
        GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=1:glibc.malloc.mmap_threshold=1',
      }),
    ).toBe(true);
    expect(mallocThresholdsFixed({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=1' })).toBe(false);
  });
});

describe('npm start', () => {
  it('starts the server with the malloc thresholds, which the benchmark reads as it runs it', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start?.startsWith(`${MALLOC_THRESHOLDS_ENV} node `)).toBe(true);
    expect(pkg.scripts.demo?.startsWith(`${MALLOC_THRESHOLDS_ENV} node `)).toBe(true);
    const { env, flags, entry } = await startScript();
    expect(entry).toBe('dist/src/main.js');
    expect(env).toEqual(MALLOC_THRESHOLDS);
    expect(flags).toContain('--max-semi-space-size=32');
    expect(flags).toContain('--expose-gc');
    expect(mallocThresholdsFixed(env)).toBe(true);
  });
});
