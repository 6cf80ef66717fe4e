import { expect } from 'vitest';
import { PveError } from '../../../src/proxmox/errors.js';

/** failure awaits a call that must reject with a PveError and returns that error. */
export async function failure(call: Promise<unknown>): Promise<PveError> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(PveError);
    return err as PveError;
  }
  throw new Error('the call did not fail');
}
