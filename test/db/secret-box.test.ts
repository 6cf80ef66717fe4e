import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox, SecretDecryptError } from '../../src/db/secret-box.js';
import { loadSecretKey, SECRET_KEY_FILE } from '../../src/db/secret-key.js';
import { registerSecret, testLogger } from '../support/capture.js';

const secret = registerSecret('8c2f9a4e-1d3b-4f6a-9e7c-5b0d2a1c3e4f');

describe('SecretBox', () => {
  it('round-trips a secret and never stores it in the clear', () => {
    const box = new SecretBox(randomBytes(32));
    const stored = box.encrypt(secret);
    expect(stored).toMatch(/^enc:v1:[A-Za-z0-9+/]+=*$/);
    expect(stored).not.toContain(secret);
    expect(box.decrypt(stored)).toBe(secret);
  });

  it('uses a fresh IV each time', () => {
    const box = new SecretBox(randomBytes(32));
    expect(box.encrypt(secret)).not.toBe(box.encrypt(secret));
  });

  it('passes plaintext (inserted by SQL) through and tells the two apart', () => {
    const box = new SecretBox(randomBytes(32));
    expect(SecretBox.isEncrypted('your-token-here')).toBe(false);
    expect(box.decrypt('your-token-here')).toBe('your-token-here');
    expect(SecretBox.isEncrypted(box.encrypt('x'))).toBe(true);
  });

  it('refuses ciphertext made with another key, tampered or truncated, with a clear error', () => {
    const stored = new SecretBox(randomBytes(32)).encrypt(secret);
    const other = new SecretBox(randomBytes(32));
    expect(() => other.decrypt(stored)).toThrow(SecretDecryptError);
    expect(() => other.decrypt(stored)).toThrow(/PVESPHERE_SECRET_KEY/);
    const box = new SecretBox(randomBytes(32));
    const good = box.encrypt(secret);
    const raw = Buffer.from(good.slice('enc:v1:'.length), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => box.decrypt(`enc:v1:${raw.toString('base64')}`)).toThrow(SecretDecryptError);
    expect(() => box.decrypt('enc:v1:AAAA')).toThrow(/truncated/);
  });

  it('binds the ciphertext to its column', () => {
    const box = new SecretBox(randomBytes(32));
    expect(() => box.decrypt(box.encrypt(secret, 'user_token'), 'other_column')).toThrow(
      SecretDecryptError,
    );
  });

  it('needs a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(RangeError);
  });
});

describe('loadSecretKey', () => {
  it('prefers the configured key and writes no file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'key-'));
    const key = randomBytes(32);
    expect(await loadSecretKey({ configuredKey: key, dataDir: dir, logger: testLogger() })).toBe(
      key,
    );
    expect(() => statSync(join(dir, SECRET_KEY_FILE))).toThrow();
  });

  it('creates a 0600 key file once and reuses it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'key-')), 'nested');
    const first = await loadSecretKey({
      configuredKey: undefined,
      dataDir: dir,
      logger: testLogger(),
    });
    registerSecret(first.toString('base64'));
    const file = join(dir, SECRET_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = await loadSecretKey({
      configuredKey: undefined,
      dataDir: dir,
      logger: testLogger(),
    });
    expect(second.equals(first)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('base64'));
  });

  it('gives the same key to concurrent starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'key-'));
    const keys = await Promise.all(
      Array.from({ length: 5 }, () =>
        loadSecretKey({ configuredKey: undefined, dataDir: dir, logger: testLogger() }),
      ),
    );
    registerSecret(keys[0]!.toString('base64'));
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(1);
  });

  it('refuses a damaged key file instead of replacing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'key-'));
    writeFileSync(join(dir, SECRET_KEY_FILE), 'not a key\n');
    await expect(
      loadSecretKey({ configuredKey: undefined, dataDir: dir, logger: testLogger() }),
    ).rejects.toThrow(/does not hold a base64 32-byte key/);
    expect(readFileSync(join(dir, SECRET_KEY_FILE), 'utf8')).toBe('not a key\n');
  });
});
