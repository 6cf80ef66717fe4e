/**
 * PveErrorCode is the stable, machine-readable kind of a PVE client failure. Callers branch on
 * it (never on message text):
 * - `PVE_AUTH`: HTTP 401 — missing, malformed, unknown or wrong token. Not retryable.
 * - `PVE_FORBIDDEN`: HTTP 403 — the token lacks a privilege. Not retryable.
 * - `PVE_NODE_UNREACHABLE`: HTTP 595/596 — the node a proxied call targets is down. Retryable.
 * - `PVE_SERVER`: any other 5xx; retryable for 502/503/504 only (500/501 are handler errors).
 * - `PVE_BAD_REQUEST`: any other 4xx (400 parameter verification, 404, …). Not retryable.
 * - `PVE_TIMEOUT`: connect, headers or body timeout. Retryable.
 * - `PVE_TLS`: certificate verification or fingerprint pinning failed. Not retryable.
 * - `PVE_NETWORK`: connection refused/reset, DNS failure, socket closed. Retryable.
 * - `PVE_BAD_RESPONSE`: the answer is not what PVE sends (not JSON, no `data`, a field of the
 *   wrong type); `field` names the offending member. Retryable only when the body was not
 *   JSON at all (truncation, a proxy's error page).
 * - `PVE_ABORTED`: the caller's AbortSignal fired. Not retryable.
 * - `PVE_INVALID_ARGUMENT`: an unusable client option or method argument. Not retryable.
 */
export type PveErrorCode =
  | 'PVE_AUTH'
  | 'PVE_FORBIDDEN'
  | 'PVE_NODE_UNREACHABLE'
  | 'PVE_SERVER'
  | 'PVE_BAD_REQUEST'
  | 'PVE_TIMEOUT'
  | 'PVE_TLS'
  | 'PVE_NETWORK'
  | 'PVE_BAD_RESPONSE'
  | 'PVE_ABORTED'
  | 'PVE_INVALID_ARGUMENT';

/** PveErrorContext is what an error knows about the call that failed. */
export interface PveErrorContext {
  /** HTTP status, when an answer arrived. */
  status?: number;
  /** HTTP method of the call. */
  method?: string;
  /** API path of the call, below `/api2/json` (for example `/nodes/pve1/qemu`). */
  path?: string;
  /** The underlying error, already scrubbed of the token secret. */
  cause?: unknown;
}

/**
 * PveError is the base of every error the PVE client throws. `code` is stable, `retryable`
 * tells whether repeating the same call later may succeed, `status`/`method`/`path` say which
 * call failed. Messages, causes and properties never contain the token secret.
 */
export class PveError extends Error {
  override name = 'PveError';
  readonly code: PveErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;

  constructor(
    message: string,
    code: PveErrorCode,
    retryable: boolean,
    context: PveErrorContext = {},
  ) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = code;
    this.retryable = retryable;
    this.status = context.status;
    this.method = context.method;
    this.path = context.path;
  }
}

/** PveAuthError is HTTP 401: no, malformed, unknown, expired or wrong API token (`PVE_AUTH`). */
export class PveAuthError extends PveError {
  override name = 'PveAuthError';
  constructor(message: string, context: PveErrorContext = {}) {
    super(message, 'PVE_AUTH', false, context);
  }
}

/** PveForbiddenError is HTTP 403: the token lacks a privilege (`PVE_FORBIDDEN`). */
export class PveForbiddenError extends PveError {
  override name = 'PveForbiddenError';
  constructor(message: string, context: PveErrorContext = {}) {
    super(message, 'PVE_FORBIDDEN', false, context);
  }
}

/**
 * PveNodeUnreachableError is HTTP 595/596: pveproxy could not reach the node a proxied call
 * targets (`PVE_NODE_UNREACHABLE`, retryable). The message carries the errno text PVE puts in
 * the reason phrase ("Connection refused", "No route to host").
 */
export class PveNodeUnreachableError extends PveError {
  override name = 'PveNodeUnreachableError';
  constructor(message: string, context: PveErrorContext = {}) {
    super(message, 'PVE_NODE_UNREACHABLE', true, context);
  }
}

/**
 * PveServerError is any other 5xx (`PVE_SERVER`). `pveMessage` is PVE's own text (the body's
 * `message` or the reason phrase), without the trailing newline; retryable for 502/503/504.
 */
export class PveServerError extends PveError {
  override name = 'PveServerError';
  readonly pveMessage: string | undefined;
  constructor(message: string, pveMessage: string | undefined, context: PveErrorContext = {}) {
    const status = context.status ?? 500;
    super(message, 'PVE_SERVER', status === 502 || status === 503 || status === 504, context);
    this.pveMessage = pveMessage;
  }
}

/**
 * PveBadRequestError is a 4xx other than 401/403 (`PVE_BAD_REQUEST`); `paramErrors` holds PVE's
 * per-parameter messages (`{"errors":{"vmid":"…"}}`) when it sent them.
 */
export class PveBadRequestError extends PveError {
  override name = 'PveBadRequestError';
  readonly paramErrors: Readonly<Record<string, string>>;
  constructor(
    message: string,
    paramErrors: Record<string, string> = {},
    context: PveErrorContext = {},
  ) {
    super(message, 'PVE_BAD_REQUEST', false, context);
    this.paramErrors = paramErrors;
  }
}

/** PveTimeoutPhase says which timeout expired. */
export type PveTimeoutPhase = 'connect' | 'headers' | 'body';

/** PveTimeoutError is an expired connect, headers or body timeout (`PVE_TIMEOUT`, retryable). */
export class PveTimeoutError extends PveError {
  override name = 'PveTimeoutError';
  readonly phase: PveTimeoutPhase;
  constructor(message: string, phase: PveTimeoutPhase, context: PveErrorContext = {}) {
    super(message, 'PVE_TIMEOUT', true, context);
    this.phase = phase;
  }
}

/**
 * PveTlsError is a failed TLS verification (`PVE_TLS`): untrusted certificate, wrong host name,
 * or a certificate whose SHA-256 differs from the pinned fingerprint. `presentedFingerprint` is
 * the fingerprint of the certificate the server presented (PVE's `AA:BB:…` form) when the
 * handshake got that far, so a user can decide to pin it.
 */
export class PveTlsError extends PveError {
  override name = 'PveTlsError';
  readonly presentedFingerprint: string | undefined;
  constructor(
    message: string,
    presentedFingerprint: string | undefined,
    context: PveErrorContext = {},
  ) {
    super(message, 'PVE_TLS', false, context);
    this.presentedFingerprint = presentedFingerprint;
  }
}

/** PveNetworkError is a connection-level failure (`PVE_NETWORK`, retryable). */
export class PveNetworkError extends PveError {
  override name = 'PveNetworkError';
  constructor(message: string, context: PveErrorContext = {}) {
    super(message, 'PVE_NETWORK', true, context);
  }
}

/**
 * PveBadResponseError is an answer PVE would not send (`PVE_BAD_RESPONSE`). `field` is the path
 * of the offending member (`data`, `data[3].vmid`, `data.result[0].name`) or `(body)` when the
 * body is not JSON; only the latter is retryable.
 */
export class PveBadResponseError extends PveError {
  override name = 'PveBadResponseError';
  readonly field: string;
  constructor(message: string, field: string, context: PveErrorContext = {}) {
    super(message, 'PVE_BAD_RESPONSE', field === BODY_FIELD, context);
    this.field = field;
  }
}

/** BODY_FIELD is the `field` of a PveBadResponseError whose body was not JSON. */
export const BODY_FIELD = '(body)';

/** PveAbortedError is a call stopped by the caller's AbortSignal (`PVE_ABORTED`). */
export class PveAbortedError extends PveError {
  override name = 'PveAbortedError';
  constructor(message: string, context: PveErrorContext = {}) {
    super(message, 'PVE_ABORTED', false, context);
  }
}

/**
 * PveInvalidArgumentError is an unusable client option or method argument
 * (`PVE_INVALID_ARGUMENT`); `argument` names it. The message never repeats the value given
 * (a secret pasted into the wrong field must not end up in a log).
 */
export class PveInvalidArgumentError extends PveError {
  override name = 'PveInvalidArgumentError';
  readonly argument: string;
  constructor(message: string, argument: string) {
    super(message, 'PVE_INVALID_ARGUMENT', false);
    this.argument = argument;
  }
}

/** isRetryable is true for a PveError whose call may succeed when repeated later. */
export function isRetryable(err: unknown): boolean {
  return err instanceof PveError && err.retryable;
}
