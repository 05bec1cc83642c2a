import { hash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { SyncError } from '../errors.js';
import { META } from '../state/meta-keys.js';

/** The metadata name the state store keeps the fingerprint key under (written once, by a migration). */
export const FINGERPRINT_KEY_META = META.fingerprintKey;

const KEY_BYTES = 32;
/** SHA-256's block: HMAC pads the key to it (RFC 2104). */
const BLOCK = 64;
const DIGEST = 32;

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
  /**
   * HMAC's inner block (key XOR ipad) followed by room for the text: one buffer, reused by every
   * {@link mac} (grown for a longer text), so that the inner hash is one one-shot `hash` call.
   */
  #inner: Buffer;
  /** HMAC's outer block (key XOR opad) followed by the inner digest. */
  readonly #outer: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
    this.#inner = Buffer.alloc(BLOCK + 256);
    this.#outer = Buffer.alloc(BLOCK + DIGEST);
    for (let i = 0; i < BLOCK; i++) {
      const k = i < key.length ? key[i]! : 0;
      this.#inner[i] = k ^ 0x36;
      this.#outer[i] = k ^ 0x5c;
    }
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

  /**
   * HMAC-SHA-256 of `text` under the key, base64url without padding (43 characters).
   *
   * Written out (RFC 2104: H(K^opad || H(K^ipad || text))) over two preset buffers with Node's
   * one-shot `hash` rather than `createHmac`: the same digest at half the CPU, as it builds no
   * Hmac object per call, and a backfill computes two or three of these per user.
   * fingerprints.test.ts checks it against `createHmac`.
   */
  mac(text: string): string {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (BLOCK + 3 * text.length > this.#inner.length) {
      const grown = Buffer.alloc(BLOCK + 3 * text.length);
      this.#inner.copy(grown, 0, 0, BLOCK);
      this.#inner = grown;
    }
    const n = this.#inner.write(text, BLOCK, 'utf8');
    const inner = hash('sha256', this.#inner.subarray(0, BLOCK + n), 'buffer');
    inner.copy(this.#outer, BLOCK);
    return hash('sha256', this.#outer, 'base64url');
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
