/**
 * coerceError turns anything thrown into an Error, keeping the original as `cause` when it was
 * not one already. Every `catch` in pvesphere starts with `const error = coerceError(err)`.
 */
export function coerceError(err: unknown): Error & { code?: unknown } {
  if (err instanceof Error) return err;
  const message =
    typeof err === 'object' && err !== null && 'message' in err
      ? String((err as { message: unknown }).message)
      : typeof err === 'string'
        ? err
        : 'An error occurred';
  return new Error(message, { cause: err });
}
