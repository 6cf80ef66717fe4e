/**
 * Fails (exit 1) when test/generated/ differs from what `npm run codegen` would write from the
 * committed schema.graphql and the operations in test/ and bench/.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const committed = join(root, 'test/generated');
const scratch = mkdtempSync(join(tmpdir(), 'pvesphere-codegen-'));

const files = (dir: string): string[] => {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
};

try {
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/@graphql-codegen/cli/cjs/bin.js'),
      '--config',
      join(root, 'codegen.ts'),
      '--silent',
    ],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, PVESPHERE_CODEGEN_OUT: scratch },
    },
  );
  const stale = [...new Set([...files(committed), ...files(scratch)])].filter((name) => {
    const read = (dir: string) => {
      try {
        return readFileSync(join(dir, name), 'utf8');
      } catch {
        return undefined;
      }
    };
    return read(committed) !== read(scratch);
  });
  if (stale.length > 0) {
    console.error(
      `test/generated is out of date (${stale.join(', ')}): run \`npm run codegen\` and commit it`,
    );
    process.exitCode = 1;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
