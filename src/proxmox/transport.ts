import { performance } from 'node:perf_hooks';
import { type Dispatcher, request } from 'undici';
import { coerceError } from '../lib/coerce-error.js';
import type { ApiBase } from './base-url.js';
import { type BodyBuffers, sharedBodyBuffers } from './body-buffers.js';
import {
  BODY_FIELD,
  PveAbortedError,
  PveAuthError,
  PveBadRequestError,
  PveBadResponseError,
  PveError,
  type PveErrorCode,
  type PveErrorContext,
  PveForbiddenError,
  PveNetworkError,
  PveNodeUnreachableError,
  PveServerError,
  PveTimeoutError,
  type PveTimeoutPhase,
  PveTlsError,
} from './errors.js';
import { isRecord } from './normalize/field-reader.js';
import { redactText, scrubError } from './scrub.js';

/**
 * RequestKind classifies a call for metrics: `list` (cluster/resources, cluster/status, nodes,
 * per-node guest and storage lists), `detail` (per-guest config, agent and interfaces calls —
 * the ones bounded by `detailConcurrency`), `meta` (version).
 */
export type RequestKind = 'list' | 'detail' | 'meta';

/**
 * PveRequestEvent describes one finished HTTP call, for `onRequest`: `path` below
 * `/api2/json` with its query, `status` when an answer arrived, `durationMs` from sending to
 * the end of the body, `errorCode` when the call failed (a guest-agent "not running" 500 that
 * the client turns into "no IPs known" has `status: 500` and no `errorCode`).
 */
export interface PveRequestEvent {
  method: 'GET';
  path: string;
  kind: RequestKind;
  status?: number;
  durationMs: number;
  errorCode?: PveErrorCode;
}

/** PveTimeouts are the per-call time limits in milliseconds. */
export interface PveTimeouts {
  /** TCP connect + TLS handshake. @default 5000 */
  connectMs: number;
  /** From sending the request until the response headers arrive. @default 15000 */
  headersMs: number;
  /** Longest pause between two chunks of the response body. @default 30000 */
  bodyMs: number;
}

/** TransportOptions configures PveTransport. */
export interface TransportOptions {
  base: ApiBase;
  /** The `Authorization` header value. */
  authorization: string;
  /** Strings that must never appear in an error (the token secret). */
  secrets: string[];
  dispatcher: Dispatcher;
  timeouts: PveTimeouts;
  onRequest?: (event: PveRequestEvent) => void;
  /** Where bodies read for `scan` are read into. @default sharedBodyBuffers */
  bodyBuffers?: BodyBuffers;
}

/** GetOptions describes one GET. */
export interface GetOptions<T> {
  kind: RequestKind;
  signal?: AbortSignal;
  /** Turns the envelope's `data` into the result; throws PveBadResponseError when malformed. */
  parse: (data: unknown) => T;
  /**
   * Reads a success body's bytes into the result without JSON.parse (a fast path, such as
   * scanClusterResources): undefined means "not handled", and the body goes through `parse`.
   * The bytes are a lent buffer, read into again once `scan` returns: it must not keep them.
   */
  scan?: (body: Uint8Array) => T | undefined;
  /** Turns an HTTP error into a result instead (for "no IPs known" 500s); undefined rethrows. */
  recover?: (error: PveError) => T | undefined;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

const TIMEOUT_CODES: Record<string, PveTimeoutPhase> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'body',
};

/**
 * PveTransport performs authenticated GETs against the PVE JSON API and turns every outcome
 * into either the parsed `data` or a PveError with context (method, path, status). It unwraps
 * the `{"data": …}` envelope, reads PVE's error text from the body's `message` or the reason
 * phrase, scrubs the token secret from everything it keeps, and reports each call to
 * `onRequest` (whose exceptions are swallowed: metrics must not break syncing).
 */
export class PveTransport {
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = options;
  }

  /** get performs `GET <apiRoot><path>` and returns `parse(data)` (or `recover(error)`). */
  async get<T>(path: string, options: GetOptions<T>): Promise<T> {
    const { base, authorization, dispatcher, timeouts } = this.#options;
    const context: PveErrorContext = { method: 'GET', path };
    const started = performance.now();
    let status: number | undefined;
    let errorCode: PveErrorCode | undefined;
    try {
      const response = await request(`${base.origin}${base.apiRoot}${path}`, {
        method: 'GET',
        dispatcher,
        signal: options.signal,
        headers: { authorization, accept: 'application/json' },
        headersTimeout: timeouts.headersMs,
        bodyTimeout: timeouts.bodyMs,
      });
      status = response.statusCode;
      let text: string;
      if (options.scan) {
        const length = Number(response.headers['content-length']);
        const body = await (this.#options.bodyBuffers ?? sharedBodyBuffers).read(
          response.body,
          Number.isSafeInteger(length) ? length : undefined,
        );
        try {
          if (status >= 200 && status <= 299) {
            const scanned = options.scan(body.bytes);
            if (scanned !== undefined) return scanned;
          }
          text = decodeBody(body.bytes);
        } finally {
          body.release();
        }
      } else {
        text = await response.body.text();
      }
      const httpContext = { ...context, status };
      if (status < 200 || status > 299) {
        const error = this.#httpError(status, response.statusText, text, httpContext);
        const recovered = options.recover?.(error);
        if (recovered === undefined) throw error;
        return recovered;
      }
      return options.parse(unwrapEnvelope(text));
    } catch (err) {
      const error = this.#toPveError(err, { ...context, status }, options.signal);
      errorCode = error.code;
      throw error;
    } finally {
      this.#report({
        method: 'GET',
        path,
        kind: options.kind,
        status,
        durationMs: performance.now() - started,
        errorCode,
      });
    }
  }

  #report(event: PveRequestEvent): void {
    if (event.status === undefined) delete event.status;
    if (event.errorCode === undefined) delete event.errorCode;
    try {
      this.#options.onRequest?.(event);
    } catch {
      // A failing metrics hook must not fail the call it reports.
    }
  }

  #httpError(status: number, reason: string, body: string, context: PveErrorContext): PveError {
    const parsed = parseErrorBody(body);
    const pveMessage = this.#redact(
      parsed.message ?? (reason && reason !== 'unknown' ? reason : ''),
    );
    const params = Object.entries(parsed.errors)
      .map(([key, text]) => `${key}: ${this.#redact(text)}`)
      .join('; ');
    const text = `GET ${context.path}: HTTP ${status}${pveMessage ? ` ${pveMessage}` : ''}${params ? ` (${params})` : ''}`;
    if (status === 401) return new PveAuthError(text, context);
    if (status === 403) return new PveForbiddenError(text, context);
    if (status === 595 || status === 596) return new PveNodeUnreachableError(text, context);
    if (status >= 500) return new PveServerError(text, pveMessage || undefined, context);
    if (status >= 400) return new PveBadRequestError(text, parsed.errors, context);
    return new PveBadResponseError(`${text}: unexpected status`, '(status)', context);
  }

  #toPveError(err: unknown, context: PveErrorContext, signal?: AbortSignal): PveError {
    const error = coerceError(err);
    const where = `GET ${context.path}`;
    if (error instanceof PveError && error.path !== undefined) return error;
    if (error instanceof PveBadResponseError) {
      return new PveBadResponseError(`${where}: ${error.message}`, error.field, context);
    }
    const tls = findInChain(error, (e) => e instanceof PveTlsError) as PveTlsError | undefined;
    if (tls) return new PveTlsError(`${where}: ${tls.message}`, tls.presentedFingerprint, context);
    const cause = scrubError(error, this.#options.secrets);
    const scrubbed = { ...context, cause };
    if (signal?.aborted) return new PveAbortedError(`${where}: aborted by the caller`, scrubbed);
    const code = findCode(error);
    const phase = code === undefined ? undefined : TIMEOUT_CODES[code];
    if (phase) return new PveTimeoutError(`${where}: ${phase} timeout`, phase, scrubbed);
    if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
      return new PveBadResponseError(`${where}: response too large`, BODY_FIELD, scrubbed);
    }
    if (code !== undefined && isTlsCode(code)) {
      return new PveTlsError(`${where}: TLS failure (${code})`, undefined, scrubbed);
    }
    const detail = code !== undefined && NETWORK_CODES.has(code) ? code : cause.message;
    return new PveNetworkError(`${where}: request failed (${detail})`, scrubbed);
  }

  #redact(text: string): string {
    return redactText(text, this.#options.secrets);
  }
}

/** decodeBody decodes a body as undici's `text()` does: UTF-8, a leading BOM skipped. */
function decodeBody(bytes: Uint8Array): string {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', start);
}

/**
 * unwrapEnvelope parses a success body and returns its `data` member; a body that is not JSON
 * is PVE_BAD_RESPONSE on `(body)` (retryable), a JSON value without `data` on `data`.
 */
export function unwrapEnvelope(text: string): unknown {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const shown = JSON.stringify(text.slice(0, 40));
    throw new PveBadResponseError(`the body is not JSON (starts with ${shown})`, BODY_FIELD);
  }
  if (!isRecord(body) || !('data' in body)) {
    throw new PveBadResponseError('the answer has no "data" member', 'data');
  }
  return body.data;
}

/** parseErrorBody reads `message` and `errors` from an error body, tolerating anything. */
function parseErrorBody(text: string): { message?: string; errors: Record<string, string> } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { errors: {} };
  }
  if (!isRecord(body)) return { errors: {} };
  const errors: Record<string, string> = {};
  if (isRecord(body.errors)) {
    for (const [key, value] of Object.entries(body.errors)) {
      if (typeof value === 'string') errors[key] = value.trim();
    }
  }
  const message = typeof body.message === 'string' ? body.message.trim() : '';
  return message ? { message, errors } : { errors };
}

function findInChain(error: unknown, test: (e: unknown) => boolean): unknown {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    if (test(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function findCode(error: unknown): string | undefined {
  const withCode = findInChain(error, (e) => typeof (e as { code?: unknown }).code === 'string') as
    | { code: string }
    | undefined;
  return withCode?.code;
}

function isTlsCode(code: string): boolean {
  return code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.includes('CERT');
}
