import type { LogContext, LoggerNamespace, Logger as MikroLogger } from '@mikro-orm/core';
import type { Logger } from '../lib/logger.js';

/**
 * PinoOrmLogger routes MikroORM's logging into pino. Queries are logged at `debug` and without
 * their parameters: parameters can hold a token secret (an INSERT into `pve_cluster`).
 */
export class PinoOrmLogger implements MikroLogger {
  constructor(private readonly logger: Logger) {}

  log(namespace: LoggerNamespace | string, message: string, context?: LogContext): void {
    if (namespace === 'query' || namespace === 'query-params' || namespace === 'discovery') {
      this.logger.debug({ orm: namespace, label: context?.label }, strip(message));
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
      context.query ?? '',
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
