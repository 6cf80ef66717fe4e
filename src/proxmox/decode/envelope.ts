import { BODY_FIELD, PveBadResponseError } from '../errors.js';
import { isRecord } from '../normalize/field-reader.js';

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
