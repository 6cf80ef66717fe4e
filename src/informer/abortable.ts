/**
 * abortable settles like `promise`, or rejects with the signal's reason as soon as `signal`
 * aborts — whichever comes first. client-go's Reflector does the same (it selects on the stop
 * channel while the list runs in a goroutine), so a ListerWatcher that ignores its signal cannot
 * keep an informer from stopping. A settlement of `promise` after the abort is swallowed.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
