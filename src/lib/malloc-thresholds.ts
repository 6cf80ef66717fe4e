/**
 * glibc's malloc keeps memory a process freed unless told otherwise: its mmap threshold rises to
 * the size of the largest block freed (up to 32 MiB), so later large buffers come from the heap
 * instead of their own mappings, and the trim threshold rises with it, so the heap's free top is
 * rarely handed back. A server that parses a poll answer and writes a cycle's rows every few
 * seconds then keeps the high-water mark of those bursts, in every thread's arena. Fixing both
 * thresholds at 128 KiB (glibc's initial values) hands it back as it is freed: measured with
 * 10 × 1,000 guests (servers restarted on one database, RSS read after V8's memory-reducing
 * collection), 146.9–154.3 MiB in eight readings instead of 160.8–164.5 MiB in five, and with 5 of
 * the clusters 139.7–148.3 instead of 144.8–153.5 MiB. glibc reads them from the environment when
 * the process starts, so `npm start` sets them; see the README (Operations).
 */

/** MALLOC_THRESHOLDS is the environment `npm start` runs the server with. */
export const MALLOC_THRESHOLDS = {
  MALLOC_TRIM_THRESHOLD_: '131072',
  MALLOC_MMAP_THRESHOLD_: '131072',
} as const;

/** MALLOC_THRESHOLDS_ENV is MALLOC_THRESHOLDS as shell assignments (`NAME=value NAME=value`). */
export const MALLOC_THRESHOLDS_ENV = Object.entries(MALLOC_THRESHOLDS)
  .map(([name, value]) => `${name}=${value}`)
  .join(' ');

/**
 * mallocThresholdsFixed tells whether the process was started with both thresholds fixed, by
 * their MALLOC_*_ variables or by GLIBC_TUNABLES (`glibc.malloc.trim_threshold`,
 * `glibc.malloc.mmap_threshold`), whatever the values.
 */
export function mallocThresholdsFixed(env: Readonly<Record<string, string | undefined>>): boolean {
  const tunables = new Set(
    (env.GLIBC_TUNABLES ?? '')
      .split(':')
      .map((setting) => setting.split('=')[0]?.trim())
      .filter((name) => name !== undefined && name !== ''),
  );
  const trim =
    (env.MALLOC_TRIM_THRESHOLD_ ?? '') !== '' || tunables.has('glibc.malloc.trim_threshold');
  const mmap =
    (env.MALLOC_MMAP_THRESHOLD_ ?? '') !== '' || tunables.has('glibc.malloc.mmap_threshold');
  return trim && mmap;
}
