import { pino } from 'pino';

/** Logger is the structured logger every part of pvesphere takes (pino's). */
export type Logger = pino.Logger;

/** LoggerOptions configures createLogger. */
export interface LoggerOptions {
  /** Minimum level written. @default 'info' */
  level?: string;
  /** Where lines go; a pino destination stream. @default standard output */
  destination?: pino.DestinationStream;
  /** Fields bound to every line (for example `{ worker: 3 }` in tests). */
  base?: Record<string, unknown>;
}

/**
 * Header and field names that may carry a credential. pino replaces their values with
 * `[redacted]` wherever they appear in a logged object, as a second line of defence: code never
 * logs a secret on purpose.
 */
const REDACT_PATHS = [
  'secret',
  'tokenSecret',
  'token_secret',
  'user_token',
  'userToken',
  'authorization',
  'Authorization',
  'password',
  '*.secret',
  '*.tokenSecret',
  '*.userToken',
  '*.user_token',
  '*.authorization',
  '*.Authorization',
  '*.password',
  'headers.authorization',
  'req.headers.authorization',
];

/** createLogger builds the process logger: JSON lines, ISO timestamps, credentials redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

/** silentLogger discards everything; for unit tests and library callers that pass no logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
