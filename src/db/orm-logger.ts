import type { LogContext, LoggerNamespace, Logger as MikroLogger } from '@mikro-orm/core';
import type { Logger } from '../lib/logger.js';

/**
 * PinoOrmLogger routes MikroORM's logging into pino. Queries are logged at `debug` with every
 * string literal replaced by `'?'`: MikroORM inlines the parameters into the query text it logs,
 * and a parameter can be a token secret (the UPDATE that encrypts a plaintext `user_token`
 * inserted by SQL matches on that plaintext).
 */
export class PinoOrmLogger implements MikroLogger {
  constructor(private readonly logger: Logger) {}

  log(namespace: LoggerNamespace | string, message: string, context?: LogContext): void {
    if (namespace === 'query' || namespace === 'query-params' || namespace === 'discovery') {
      this.logger.debug({ orm: namespace, label: context?.label }, redactLiterals(strip(message)));
      return;
    }
    this.logger.info({ orm: namespace }, strip(message));
  }

  error(namespace: LoggerNamespace | string, message: string): void {
    this.logger.error({ orm: namespace }, strip(message));
  }

  warn(namespace: LoggerNamespace | string, message: string): void {
    this.logger.warn({ orm: namespace }, strip(message));
  }

  logQuery(context: LogContext): void {
    if (!this.logger.isLevelEnabled('debug')) return;
    this.logger.debug(
      { orm: 'query', took: context.took, results: context.results, affected: context.affected },
      redactLiterals(context.query ?? ''),
    );
  }

  setDebugMode(): void {}

  isEnabled(namespace: LoggerNamespace): boolean {
    return namespace === 'query' ? this.logger.isLevelEnabled('debug') : true;
  }
}

/** Removes ANSI colour codes MikroORM adds for terminals. */
function strip(message: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
  return message.replace(/\u001b\[[0-9;]*m/g, '');
}

/**
 * Replaces SQL string literals (`'…'` with `''` escapes, and `E'…'`, as pg's escapeLiteral
 * writes them) by `'?'`.
 */
function redactLiterals(sql: string): string {
  return sql.replace(/(?:\bE)?'(?:[^']|'')*'/g, "'?'");
}
