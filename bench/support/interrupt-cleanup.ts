/**
 * The cleanups to run when the benchmark is interrupted (Ctrl-C, SIGTERM): a scenario registers
 * how to stop its server process, simulators and PostgreSQL, so that none outlives the run.
 */
const cleanups = new Set<() => Promise<unknown>>();

/** onInterrupt registers a cleanup; the returned function unregisters it. */
export function onInterrupt(cleanup: () => Promise<unknown>): () => void {
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

/** runInterruptCleanups runs every registered cleanup (at most `timeoutMs`). */
export async function runInterruptCleanups(timeoutMs = 20_000): Promise<void> {
  const all = Promise.allSettled([...cleanups].map((cleanup) => cleanup()));
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
}
