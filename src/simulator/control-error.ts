/** SimulatorControlErrorCode says why a control operation was refused. */
export type SimulatorControlErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'INVALID';

/**
 * SimulatorControlError is thrown by control operations that cannot apply (unknown vmid, a
 * guest already migrating, a bad fault rule…). `code` is stable; the admin HTTP surface maps it
 * to 404 / 409 / 400.
 */
export class SimulatorControlError extends Error {
  /** SimulatorControlError carries a stable `code` and a human-readable message. */
  constructor(
    readonly code: SimulatorControlErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SimulatorControlError';
  }
}
