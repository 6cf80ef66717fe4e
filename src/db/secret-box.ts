import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** SecretDecryptError means a stored secret cannot be decrypted with the configured key. */
export class SecretDecryptError extends Error {
  override name = 'SecretDecryptError';
  readonly code = 'SECRET_UNREADABLE';
}

/**
 * SecretBox encrypts token secrets at rest with AES-256-GCM. The stored form is
 * `enc:v1:<base64 of iv | tag | ciphertext>`: the version prefix tells ciphertext from a
 * plaintext secret inserted by SQL, and lets a later key or algorithm coexist with this one.
 * The column name is bound in as additional authenticated data, so a ciphertext copied into
 * another column does not decrypt.
 */
export class SecretBox {
  readonly #key: Buffer;

  /** @param key exactly 32 bytes */
  constructor(key: Buffer) {
    if (key.length !== 32) throw new RangeError('SecretBox needs a 32-byte key');
    this.#key = Buffer.from(key);
  }

  /** isEncrypted tells whether a stored value is ciphertext (else it is plaintext from SQL). */
  static isEncrypted(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }

  /** encrypt returns the stored form of `plaintext`; a fresh random IV each time. */
  encrypt(plaintext: string, context = 'user_token'): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /**
   * decrypt returns the plaintext of a stored value; plaintext (inserted by SQL) is returned as
   * it is. Throws {@link SecretDecryptError} when ciphertext does not decrypt with this key.
   */
  decrypt(stored: string, context = 'user_token'): string {
    if (!SecretBox.isEncrypted(stored)) return stored;
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) {
      throw new SecretDecryptError('the stored token secret is truncated');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const body = raw.subarray(IV_BYTES + TAG_BYTES);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new SecretDecryptError(
        'the stored token secret cannot be decrypted with this PVESPHERE_SECRET_KEY (was it encrypted by a server with another key?)',
        { cause: err },
      );
    }
  }
}
