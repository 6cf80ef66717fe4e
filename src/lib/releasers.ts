import { coerceError } from './coerce-error.js';

/** Releaser undoes one start-up step (closes what it opened). */
export type Releaser = () => Promise<void> | void;

/**
 * Releasers collects the undo step of each part as it starts, and runs them in reverse order
 * (last started, first stopped). Every releaser runs even when an earlier one fails; the first
 * failure is rethrown at the end.
 */
export class Releasers {
  readonly #stack: { name: string; release: Releaser }[] = [];

  /** push records how to release a part that has just started. */
  push(name: string, release: Releaser): void {
    this.#stack.push({ name, release });
  }

  /** releaseAll releases everything, newest first; `onError` hears about each failure. */
  async releaseAll(onError: (name: string, error: Error) => void = () => {}): Promise<void> {
    let first: Error | undefined;
    for (let entry = this.#stack.pop(); entry; entry = this.#stack.pop()) {
      try {
        await entry.release();
      } catch (err) {
        const error = coerceError(err);
        onError(entry.name, error);
        first ??= error;
      }
    }
    if (first) throw first;
  }
}
