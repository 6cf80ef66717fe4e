import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// test/run.ts runs the suite in two phases: everything, then test/final (the checks over the
// whole run's captured logs and responses).
const finalPhase = process.env.PVESPHERE_TEST_PHASE === 'final';

export default defineConfig({
  test: {
    include: finalPhase ? ['test/final/**/*.test.ts'] : ['test/**/*.test.ts'],
    exclude: finalPhase ? [] : ['test/final/**', '**/node_modules/**'],
    globalSetup: finalPhase ? [] : ['test/support/global-setup.ts'],
    // Workers import .ts migrations through the MikroORM Migrator: they need the tsx loader.
    execArgv: ['--import', 'tsx'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
    // Console output of tests counts as log output for the secret check.
    onConsoleLog(log) {
      const dir = process.env.PVESPHERE_TEST_CAPTURE_DIR;
      if (dir) {
        mkdirSync(join(dir, 'logs'), { recursive: true });
        appendFileSync(join(dir, 'logs', 'console.log'), `${log}\n`);
      }
      return true;
    },
  },
});
