import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * collectGarbage runs three full garbage collections (the flag is set at run time: vitest's
 * workers lack `--expose-gc`). A WeakRef's target stays alive until the end of the job that last
 * dereferenced or created it: await a timer before collecting when checking one.
 */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) gc();
}
