import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { AGENT_DIR, PROJECT_ROOT } from './server-process.js';

/**
 * AGENT_SOURCES are the benchmark's agent (server-agent.ts) and the modules it imports: plain
 * Node built-ins otherwise, so each is transpiled alone.
 */
const AGENT_SOURCES = ['server-agent.ts', 'reduce-memory.ts'];

/**
 * buildServer builds what `npm start` runs — `npm run build`, the server compiled to `dist/` —
 * and the benchmark's agent as JavaScript beside it (types are checked by `npm run check`, not
 * here), so the measured server runs compiled code with no TypeScript loader, as an operator's
 * does. (Through `--import tsx` the process also kept the loader's second V8 isolate: 25–40 MiB
 * more RSS at 10 × 1,000 guests, the part that varied most from run to run.)
 */
export async function buildServer(): Promise<void> {
  await promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: PROJECT_ROOT });
  await mkdir(AGENT_DIR, { recursive: true });
  for (const file of AGENT_SOURCES) {
    const source = await readFile(join(PROJECT_ROOT, 'bench', 'support', file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    await writeFile(join(AGENT_DIR, file.replace(/\.ts$/, '.js')), outputText);
  }
}
