/**
 * `npm test`: runs the whole suite with vitest — first every test, then test/final, which checks
 * the logs and responses the first phase captured (no secret anywhere) — and ends with one plain
 * line of totals, `N passed, N failed`. Extra arguments go to vitest (`npm test -- test/db`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numFailedTestSuites: number;
  success: boolean;
}

const root = new URL('..', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'pvesphere-test-'));
const captureDir = join(scratch, 'capture');
const filters = process.argv.slice(2);

function phase(name: string, args: string[], env: Record<string, string>): VitestJson {
  const report = join(scratch, `${name}.json`);
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
      ...args,
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, PVESPHERE_TEST_CAPTURE_DIR: captureDir, ...env },
    },
  );
  if (existsSync(report)) return JSON.parse(readFileSync(report, 'utf8')) as VitestJson;
  // vitest did not get as far as reporting (a crash, a failing global setup): one failure.
  console.error(`vitest ${name} phase ended without a report (exit ${result.status})`);
  return { numPassedTests: 0, numFailedTests: 1, numFailedTestSuites: 0, success: false };
}

const results = [phase('main', filters, {})];
// The leak check covers a whole run only: skip it when a subset was asked for.
if (filters.length === 0) results.push(phase('final', [], { PVESPHERE_TEST_PHASE: 'final' }));

const passed = results.reduce((sum, r) => sum + r.numPassedTests, 0);
// A test file that fails to load (suite error) has no failed tests of its own: count it once.
const failed = results.reduce(
  (sum, r) =>
    sum +
    r.numFailedTests +
    (r.numFailedTests === 0 && !r.success ? Math.max(1, r.numFailedTestSuites) : 0),
  0,
);
rmSync(scratch, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
