import type { ProgressTask } from './scenario.js';

/**
 * startProgress reports a long step on standard error: a live bar on a terminal, otherwise one
 * line per 10 % so that logs stay short. It never writes to standard output (the report).
 */
export function startProgress(label: string, total: number): ProgressTask {
  const stream = process.stderr;
  const interactive = stream.isTTY === true;
  const started = performance.now();
  let done = 0;
  let lastDecile = -1;
  let lastDraw = 0;
  const render = (final: boolean): void => {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (interactive) {
      const now = performance.now();
      if (!final && now - lastDraw < 100) return;
      lastDraw = now;
      const width = 24;
      const filled = Math.round(fraction * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      stream.write(
        `\r${label} ${bar} ${Math.round(fraction * 100)}% (${done}/${total}, ${seconds}s)${final ? '\n' : ''}`,
      );
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile === lastDecile && !final) return;
    lastDecile = decile;
    stream.write(`${label}: ${Math.round(fraction * 100)}% (${done}/${total}, ${seconds}s)\n`);
  };
  render(false);
  return {
    tick(count = 1) {
      done += count;
      render(false);
    },
    done() {
      done = total;
      render(true);
    },
  };
}
