import { createHash } from 'node:crypto';

/** CALIBRATION_ROWS is the size of the calibration document (rows like a guest listing's). */
const CALIBRATION_ROWS = 2_000;

/** calibrationDocument builds the fixed document the workload serialises, parses and hashes. */
function calibrationDocument(): unknown[] {
  return Array.from({ length: CALIBRATION_ROWS }, (_, i) => ({
    id: `qemu/${100 + i}`,
    vmid: 100 + i,
    name: `guest-${i}`,
    node: `pve${i % 20}`,
    status: i % 7 === 0 ? 'stopped' : 'running',
    cpu: (i % 100) / 100,
    maxmem: 8_589_934_592,
    mem: (i * 1_048_576) % 8_589_934_592,
    tags: i % 3 === 0 ? 'prod;web' : 'dev',
  }));
}

/**
 * calibrate times a fixed CPU-bound workload in this process — a 2,000-row JSON document
 * stringified, parsed and hashed (SHA-256) — and returns the median of `rounds` runs in ms: how
 * fast the machine was when a scenario ran. On a shared host the same work can take half again
 * as long from one hour to the next, and every figure of a scenario moves with it; the result
 * files keep the calibration from before and after each scenario so that runs can be compared.
 */
export function calibrate(rounds = 7): number {
  const document = calibrationDocument();
  const times: number[] = [];
  let digest = '';
  // One round more than counted, first: the compiler's warm-up is not the machine's speed.
  for (let round = -1; round < rounds; round++) {
    const started = performance.now();
    for (let i = 0; i < 5; i++) {
      const text = JSON.stringify(document);
      const parsed = JSON.parse(text) as unknown[];
      digest = createHash('sha256').update(text).update(String(parsed.length)).digest('hex');
    }
    if (round >= 0) times.push(performance.now() - started);
  }
  if (digest.length !== 64) throw new Error('calibration: unexpected digest');
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]! * 100) / 100;
}
