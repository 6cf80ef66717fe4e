import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { constants, deflate, gzip } from 'node:zlib';
import { encodePerlJson } from './perl-json.js';
import type { Shuffler } from './prng.js';
import type { PveReply } from './reply.js';

const gzipAsync = promisify(gzip);
const deflateAsync = promisify(deflate);

/** COMPRESS_THRESHOLD: pveproxy compresses bodies above 1024 bytes when the client accepts it. */
const COMPRESS_THRESHOLD = 1024;

/** FAST compression keeps large answers cheap for benchmarks; the level is invisible to clients. */
const FAST = { level: constants.Z_BEST_SPEED };

/** WriteOptions tune how a reply is put on the wire. */
export interface WriteOptions {
  /** Generator for object key order (omit for insertion order). */
  order?: Shuffler;
  /** Cut the body in half (the `malformed` fault). */
  truncate?: boolean;
}

/**
 * writeReply sends a PveReply the way pveproxy does (API.md §1.1): reason phrase from the reply,
 * `Content-Type: application/json;charset=UTF-8`, `Server: pve-api-daemon/3.0`,
 * `Cache-Control: max-age=0`, `Pragma: no-cache`, `Expires`, `Connection: close` for status ≥ 400,
 * gzip (or deflate) above 1024 bytes when the request's `Accept-Encoding` allows it; empty body
 * when `reply.body` is undefined. Resolves once the response is handed to the socket.
 */
export async function writeReply(
  req: IncomingMessage,
  res: ServerResponse,
  reply: PveReply,
  options: WriteOptions = {},
): Promise<void> {
  let text = reply.body === undefined ? '' : encodePerlJson(reply.body, options.order);
  if (options.truncate && text.length > 0)
    text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  let payload: Buffer = Buffer.from(text, 'utf8');
  const now = new Date().toUTCString();
  const headers: Record<string, string | number> = {
    'Cache-Control': 'max-age=0',
    Pragma: 'no-cache',
    Server: 'pve-api-daemon/3.0',
    Expires: now,
  };
  if (reply.body !== undefined) headers['Content-Type'] = 'application/json;charset=UTF-8';
  if (reply.status >= 400) headers.Connection = 'close';
  const accepted = String(req.headers['accept-encoding'] ?? '');
  if (payload.length > COMPRESS_THRESHOLD) {
    if (/\bgzip\b/.test(accepted)) {
      payload = await gzipAsync(payload, FAST);
      headers['Content-Encoding'] = 'gzip';
    } else if (/\bdeflate\b/.test(accepted)) {
      payload = await deflateAsync(payload, FAST);
      headers['Content-Encoding'] = 'deflate';
    }
  }
  headers['Content-Length'] = payload.length;
  if (res.destroyed) return;
  res.writeHead(reply.status, sanitizeReason(reply.reason), headers);
  res.end(payload);
}

/** sanitizeReason keeps a reason phrase legal on the status line (no control characters). */
function sanitizeReason(reason: string): string {
  return reason.replace(/[^\t\x20-\x7e\x80-\xff]/g, ' ');
}
