import { z } from 'zod';
import { int, secretString } from './config-fields.js';

/*
 * `verifier:`: settings of `cidaas-sync verifier`, the password verification service
 * cidaas calls for CUSTOM_<name> hashes. Read by the verifier alone (it ignores the
 * other sections, so a config file holding only this section works too).
 */

const base64Text = z
  .string()
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, { error: 'must be standard base64, as the Firebase console shows it' });

const firebaseScryptSchema = z.strictObject({
  /** base64_signer_key of the Firebase project (a secret: it is half of every hash). */
  signerKey: secretString,
  /** base64_salt_separator. */
  saltSeparator: base64Text,
  /** rounds (1..8). */
  rounds: int(1, 8),
  /** mem_cost (1..14). */
  memCost: int(1, 14),
});

export const verifierSchema = z.strictObject({
  /** The Firebase project's password hash parameters, for CUSTOM_FIREBASE_SCRYPT. */
  firebaseScrypt: firebaseScryptSchema.optional(),
  /** Hash checks run at once; more wait in the queue. */
  maxConcurrent: int(1, 64).default(2),
  /** Checks that may wait; beyond that the verifier answers 503 with Retry-After. */
  maxQueue: int(0, 10_000).default(32),
  /** Largest request body accepted (bytes); larger: 413. */
  maxBodyBytes: int(1024, 1_048_576).default(16_384),
});

/** The `verifier:` section after defaults. */
export type VerifierConfig = z.output<typeof verifierSchema>;
