/**
 * InformerErrorCode is the stable, machine-readable reason of an InformerError:
 * - `FIFO_CLOSED`: pop() on a closed, empty DeltaFIFO (client-go `ErrFIFOClosed`);
 * - `KEY_FAILED`: a key function threw, or a Deltas was empty (client-go `KeyError`);
 * - `INDEX_NOT_FOUND` / `INDEX_CONFLICT`: an unknown index name, or one registered twice;
 * - `LIST_FAILED` / `WATCH_FAILED`: a Reflector's list or watch failed (the cause is kept);
 * - `HANDLER_FAILED`: an event handler threw or rejected (the notification is skipped);
 * - `ALREADY_STARTED` / `STOPPED`: a lifecycle call at the wrong time (run twice, a handler
 *   added to a stopped informer, indexers added after start).
 */
export type InformerErrorCode =
  | 'FIFO_CLOSED'
  | 'KEY_FAILED'
  | 'INDEX_NOT_FOUND'
  | 'INDEX_CONFLICT'
  | 'LIST_FAILED'
  | 'WATCH_FAILED'
  | 'HANDLER_FAILED'
  | 'ALREADY_STARTED'
  | 'STOPPED';

/**
 * InformerError is every error the informer framework raises or reports, told apart by `code`
 * (assert on the code, not the message). When it wraps another error the message ends with the
 * cause's message, as Go's `fmt.Errorf("…: %w")` does, and `cause` keeps the original.
 */
export class InformerError extends Error {
  override name = 'InformerError';

  constructor(
    message: string,
    readonly code: InformerErrorCode,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
