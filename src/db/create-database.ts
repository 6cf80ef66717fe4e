import { type ClientBase, escapeIdentifier } from 'pg';
import { coerceError } from '../lib/coerce-error.js';

/** CreateDatabaseOptions are the options of {@link createDatabaseIfMissing}. */
export interface CreateDatabaseOptions {
  /** Copy this database (CREATE DATABASE … TEMPLATE). @default PostgreSQL's template1 */
  template?: string;
}

/** MAX_IDENTIFIER_BYTES is PostgreSQL's identifier limit; longer names would be truncated silently. */
const MAX_IDENTIFIER_BYTES = 63;

/**
 * createDatabaseIfMissing creates database `name` through `admin` (a connected client on any
 * existing database, as a role allowed to create databases; the caller keeps and closes it) unless
 * it exists. Returns true when it created it. Two callers racing on one name are both satisfied.
 * Names are quoted, so any text of 1–63 bytes works.
 */
export async function createDatabaseIfMissing(
  admin: ClientBase,
  name: string,
  options: CreateDatabaseOptions = {},
): Promise<boolean> {
  for (const identifier of [name, options.template]) {
    if (identifier === undefined) continue;
    const bytes = Buffer.byteLength(identifier);
    if (bytes === 0 || bytes > MAX_IDENTIFIER_BYTES) {
      throw new Error(
        `database name "${identifier}" must be 1 to ${MAX_IDENTIFIER_BYTES} bytes long`,
      );
    }
  }
  const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (found.rowCount) return false;
  const template = options.template ? ` TEMPLATE ${escapeIdentifier(options.template)}` : '';
  try {
    await admin.query(`CREATE DATABASE ${escapeIdentifier(name)}${template}`);
  } catch (err) {
    const error = coerceError(err);
    // Created concurrently by someone else, which is what we wanted: 42P04 duplicate_database,
    // or 23505 unique_violation when both passed the existence check at once.
    if (error.code === '42P04' || error.code === '23505') return false;
    throw error;
  }
  return true;
}
