/**
 * EmbeddedPostgresErrorCode names each way the embedded PostgreSQL can fail, so callers and tests
 * can tell them apart without parsing messages.
 */
export type EmbeddedPostgresErrorCode =
  /** A directory on the way to the data or the binaries cannot be searched by the server's OS user. */
  | 'EMBEDDED_PG_DIR_NOT_TRAVERSABLE'
  /** The data directory, or a file in it, belongs to someone else or cannot be written. */
  | 'EMBEDDED_PG_DATA_DIR_UNUSABLE'
  /** Another live process owns the data directory. */
  | 'EMBEDDED_PG_DATA_DIR_IN_USE'
  /** The data directory was initialised by another PostgreSQL major version. */
  | 'EMBEDDED_PG_VERSION_MISMATCH'
  /** The PostgreSQL binaries could not be found or made usable. */
  | 'EMBEDDED_PG_BINARIES_UNAVAILABLE'
  /** The OS user that runs PostgreSQL (as root) is missing and could not be created. */
  | 'EMBEDDED_PG_OS_USER_UNAVAILABLE'
  /** The requested TCP port is taken. */
  | 'EMBEDDED_PG_PORT_IN_USE'
  /** `initdb` failed. */
  | 'EMBEDDED_PG_INITDB_FAILED'
  /** The server did not start, or did not become ready in time. */
  | 'EMBEDDED_PG_START_FAILED'
  /** A postmaster left behind by an earlier process could not be stopped. */
  | 'EMBEDDED_PG_ORPHAN_STOP_FAILED'
  /** The server did not stop. */
  | 'EMBEDDED_PG_STOP_FAILED'
  /** A database could not be created. */
  | 'EMBEDDED_PG_CREATE_DATABASE_FAILED';

/**
 * EmbeddedPostgresError is thrown by the embedded PostgreSQL. Its message is one sentence that
 * names what failed and what to do about it; `code` is stable; `cause` keeps the underlying error
 * when there is one. Messages never contain the superuser password.
 */
export class EmbeddedPostgresError extends Error {
  /** code identifies the failure; see {@link EmbeddedPostgresErrorCode}. */
  readonly code: EmbeddedPostgresErrorCode;

  constructor(code: EmbeddedPostgresErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddedPostgresError';
    this.code = code;
  }
}
