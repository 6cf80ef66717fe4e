/**
 * yieldToEventLoop resolves on the next turn of the event loop (setImmediate), after pending
 * I/O callbacks. Long synchronous drains (100,000 deltas of an initial list) call it every few
 * hundred items so that the server keeps answering meanwhile. It never waits on a timer.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** YIELD_EVERY is how many items a drain loop handles between two yieldToEventLoop() calls. */
export const YIELD_EVERY = 512;
