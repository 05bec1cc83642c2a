import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { SyncError } from '../errors.js';
import { META } from '../state/meta-keys.js';

/** The metadata name the state store keeps the fingerprint key under (written once, by a migration). */
export const FINGERPRINT_KEY_META = META.fingerprintKey;

const KEY_BYTES = 32;

/**
 * The key of the state store's fingerprints: 32 random bytes, created once per store (by the
 * state store migration that introduced it) and kept in the store's metadata. Fingerprints are
 * HMAC-SHA-256 under it, so a copy of the user-state rows cannot confirm a guessed email address,
 * password hash or TOTP secret, and two stores' fingerprints of the same user differ.
 *
 * Like a {@link Secret}, it never turns into text: template strings, `JSON.stringify` and
 * `util.inspect` give `[redacted]`.
 */
export class FingerprintKey {
  readonly #key: Buffer;
  /** The key as a KeyObject, made once: createHmac then takes it without copying and checking the bytes again. */
  readonly #hmacKey: KeyObject;

  private constructor(key: Buffer) {
    this.#key = key;
    this.#hmacKey = createSecretKey(key);
  }

  /** A fresh random key. */
  static generate(): FingerprintKey {
    return new FingerprintKey(randomBytes(KEY_BYTES));
  }

  /** The key from its stored form (base64 of 32 bytes); throws a permanent STATE_STORE error when it is not one. */
  static fromStored(text: string): FingerprintKey {
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length !== KEY_BYTES || bytes.toString('base64') !== text) {
      throw new SyncError('STATE_STORE', `the state store's fingerprint key (metadata ${FINGERPRINT_KEY_META}) is not base64 of ${KEY_BYTES} bytes`, {
        hint: 'restore the state store from a backup; a store whose key was changed or lost re-pushes every user once',
      });
    }
    return new FingerprintKey(bytes);
  }

  /** The stored form: base64. Call it only to write the key into the state store. */
  toStored(): string {
    return this.#key.toString('base64');
  }

  /** HMAC-SHA-256 of `text` under the key, base64url without padding (43 characters). */
  mac(text: string): string {
    return createHmac('sha256', this.#hmacKey).update(text, 'utf8').digest('base64url');
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [Symbol.toPrimitive](): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'FingerprintKey [redacted]';
  }
}
