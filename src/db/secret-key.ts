import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { coerceError } from '../lib/coerce-error.js';
import type { Logger } from '../lib/logger.js';

/** SECRET_KEY_FILE is the name of the generated key file inside the data directory. */
export const SECRET_KEY_FILE = 'secret.key';

/** SecretKeyOptions are the inputs of {@link loadSecretKey}. */
export interface SecretKeyOptions {
  /** The key from `PVESPHERE_SECRET_KEY`, when set: it wins. */
  configuredKey: Buffer | undefined;
  /** Where a generated key file lives when no key is configured. */
  dataDir: string;
  logger: Logger;
}

/**
 * loadSecretKey returns the 32-byte key that encrypts token secrets: `PVESPHERE_SECRET_KEY` when
 * configured, else the key file `<dataDir>/secret.key`, created (mode 0600) on first start. A
 * generated key is logged with a warning: replicas sharing a database must share one
 * `PVESPHERE_SECRET_KEY`, or they cannot read each other's secrets.
 */
export async function loadSecretKey(options: SecretKeyOptions): Promise<Buffer> {
  if (options.configuredKey) return options.configuredKey;
  const path = join(options.dataDir, SECRET_KEY_FILE);
  const existing = await readKeyFile(path);
  if (existing) {
    options.logger.info({ path }, 'token secrets are encrypted with the key file');
    return existing;
  }
  await mkdir(options.dataDir, { recursive: true, mode: 0o755 });
  const key = randomBytes(32);
  try {
    // 'wx': never overwrite a key another process created a moment ago.
    await writeFile(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    const error = coerceError(err);
    if (error.code !== 'EEXIST') {
      throw new Error(`cannot create the secret key file ${path}: ${error.message}`, {
        cause: error,
      });
    }
    const raced = await readKeyFile(path);
    if (raced) return raced;
  }
  options.logger.warn(
    { path },
    'generated a key for token secrets at rest; server replicas sharing one database must all be given the same PVESPHERE_SECRET_KEY',
  );
  return key;
}

async function readKeyFile(path: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (coerceError(err).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the secret key file ${path}`, { cause: err });
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) {
    throw new Error(
      `the secret key file ${path} does not hold a base64 32-byte key; restore it, or delete it to generate a new one (stored token secrets then need to be entered again)`,
    );
  }
  return key;
}
