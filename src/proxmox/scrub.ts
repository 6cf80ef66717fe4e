const MAX_DEPTH = 5;
const REDACTED = '[redacted]';

/**
 * redactText replaces every occurrence of each secret in `text` with `[redacted]`.
 */
export function redactText(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret !== '') result = result.split(secret).join(REDACTED);
  }
  return result;
}

/**
 * scrubError returns a copy of an error chain that is safe to keep as a `cause`: each level
 * becomes a plain Error with the same name, its message redacted, and only the diagnostic
 * properties `code`, `errno` and `syscall` (string or number) — everything else an HTTP
 * library may attach (request headers, options, sockets, bodies) is dropped, so the token
 * secret cannot leak through it. Depth is capped at 5 levels.
 */
export function scrubError(err: unknown, secrets: readonly string[], depth = 0): Error {
  const source = err instanceof Error ? err : new Error(String(err));
  const copy = new Error(redactText(source.message, secrets));
  copy.name = source.name;
  copy.stack = `${copy.name}: ${copy.message}`;
  const diagnostics = copy as Error & Record<string, unknown>;
  for (const key of ['code', 'errno', 'syscall'] as const) {
    const value = (source as Error & Record<string, unknown>)[key];
    if (typeof value === 'string') diagnostics[key] = redactText(value, secrets);
    else if (typeof value === 'number') diagnostics[key] = value;
  }
  if (source.cause !== undefined && depth < MAX_DEPTH) {
    copy.cause = scrubError(source.cause, secrets, depth + 1);
  }
  return copy;
}
