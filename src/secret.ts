import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A value that must never reach a log line, an error message or the state store:
 * a client secret, an access token, a password hash, a TOTP secret.
 *
 * Every way JavaScript turns an object into text (template strings, `String()`,
 * `JSON.stringify`, `util.inspect`, winston's formatters) yields `[redacted]`.
 * The only way to the value is {@link Secret.reveal}, which makes each use of a
 * secret visible in review.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The plaintext. Call it only where the value leaves for its one destination. */
  reveal(): string {
    return this.#value;
  }

  /** True when the secret is the empty string. */
  get isEmpty(): boolean {
    return this.#value.length === 0;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Wraps a plain string; passes an existing Secret through. */
export function secret(value: string | Secret): Secret {
  return value instanceof Secret ? value : new Secret(value);
}
