import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { createLogger, type Logger } from '../../src/lib/logger.js';

/**
 * The capture directory collects, for the whole test run, every log line of every test worker,
 * every response body the test clients received and every secret the tests used, so that the
 * final phase (test/final) can assert that no secret ever reached a log or a response.
 * test/run.ts sets PVESPHERE_TEST_CAPTURE_DIR; a bare `vitest` run gets one from the global setup.
 */
export function captureDir(): string {
  const dir = process.env.PVESPHERE_TEST_CAPTURE_DIR;
  if (!dir)
    throw new Error('PVESPHERE_TEST_CAPTURE_DIR is not set (the vitest global setup sets it)');
  return dir;
}

function ensure(kind: 'logs' | 'responses' | 'secrets'): string {
  const dir = join(captureDir(), kind);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** testLogger returns a logger whose lines go to this worker's capture file (and nowhere else). */
export function testLogger(bindings: Record<string, unknown> = {}): Logger {
  const file = join(ensure('logs'), `worker-${process.pid}.ndjson`);
  return createLogger({
    level: 'debug',
    base: { worker: process.pid, ...bindings },
    destination: pino.destination({ dest: file, sync: true, append: true, mkdir: true }),
  });
}

/** captureOutput appends text another process wrote (a child server's stdout) to the logs. */
export function captureOutput(name: string, text: string): void {
  appendFileSync(join(ensure('logs'), `${name}-${process.pid}.log`), text);
}

/** captureResponse records a response body a test client received. */
export function captureResponse(body: string): void {
  appendFileSync(join(ensure('responses'), `worker-${process.pid}.ndjson`), `${body}\n`);
}

/** registerSecret records a secret the tests used: it must never show up in logs or responses. */
export function registerSecret(secret: string): string {
  appendFileSync(join(ensure('secrets'), `worker-${process.pid}.txt`), `${secret}\n`);
  return secret;
}

/** A place where a secret was found. */
export interface Leak {
  secret: string;
  file: string;
  line: number;
}

/**
 * findLeaks scans files for any of the secrets and lists where each one appears. Secrets shorter
 * than 8 characters are ignored: they would match by chance.
 */
export function findLeaks(secrets: Iterable<string>, files: Iterable<string>): Leak[] {
  const needles = [...new Set(secrets)].filter((s) => s.length >= 8);
  const leaks: Leak[] = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, index) => {
      for (const secret of needles) {
        if (text.includes(secret)) leaks.push({ secret, file, line: index + 1 });
      }
    });
  }
  return leaks;
}

/** capturedFiles lists every captured file of one kind. */
export function capturedFiles(kind: 'logs' | 'responses' | 'secrets'): string[] {
  const dir = ensure(kind);
  return readdirSync(dir).map((name) => join(dir, name));
}

/** registeredSecrets reads every secret registered during the run. */
export function registeredSecrets(): string[] {
  return capturedFiles('secrets').flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0),
  );
}
