/**
 * PveReply is an answer of the simulated API before it is put on the wire: status, reason phrase,
 * the JSON body (undefined = empty body, as PVE sends for 401 and 595) and an optional delay
 * (PVE delays every 401 by 3 s; a proxy hop to a dead node takes time before failing).
 */
export interface PveReply {
  status: number;
  reason: string;
  body?: unknown;
  delayMs?: number;
}

/** ok wraps a payload in PVE's success envelope `{"data": …}`. */
export function ok(data: unknown): PveReply {
  return { status: 200, reason: 'OK', body: { data } };
}

/**
 * fail builds an error answer of libpve-http-server-perl ≥ 5.2.0: body
 * `{"data":null,"message":<message>}` (+ `errors`), reason phrase = first line of the message.
 * `message` is passed as PVE has it (usually with its trailing newline).
 */
export function fail(status: number, message: string, errors?: Record<string, string>): PveReply {
  const body: Record<string, unknown> = { data: null, message };
  if (errors) body.errors = errors;
  return { status, reason: firstLine(message), body };
}

/** emptyFail builds an answer with an empty body and the text only in the reason phrase. */
export function emptyFail(status: number, reason: string, delayMs = 0): PveReply {
  return { status, reason, delayMs };
}

/** paramFail is PVE's 400 `Parameter verification failed.` with per-parameter errors. */
export function paramFail(errors: Record<string, string>): PveReply {
  return fail(400, 'Parameter verification failed.\n', errors);
}

/** forbidden is PVE's 403 `Permission check failed (<path>, <privileges joined by |>)`. */
export function forbidden(path: string, privileges: readonly string[]): PveReply {
  return fail(403, `Permission check failed (${path}, ${privileges.join('|')})\n`);
}

/** notImplemented is PVE's 501 for a path or method no handler serves. */
export function notImplemented(method: string, path: string): PveReply {
  return fail(501, `Method '${method} ${path}' not implemented`);
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? '';
  return line === '' ? 'Internal Server Error' : line;
}
