import type { CustomAlgorithmId } from './custom-algorithm.js';

/** Firebase Auth's project-wide scrypt parameters (Authentication > Users > Password hash parameters). */
export interface FirebaseScryptParams {
  /** base64_signer_key, decoded. */
  readonly signerKey: Uint8Array;
  /** base64_salt_separator, decoded. */
  readonly saltSeparator: Uint8Array;
  /** rounds (scrypt r), 1..8. */
  readonly rounds: number;
  /** mem_cost (scrypt N = 2^memCost), 1..14. */
  readonly memCost: number;
}

/** What the verifier knows beyond the request: parameters a format keeps outside the hash. */
export interface CustomHashParams {
  readonly firebaseScrypt?: FirebaseScryptParams;
}

/**
 * One legacy hash format the verification service checks. `hash` and `salt` are what
 * cidaas sends back: `passwordVerification.passwordHash` and `hData.salt`, exactly as
 * the recogniser pushed them.
 */
export interface CustomHashFormat {
  readonly id: CustomAlgorithmId;
  /** For people: the format and the platforms that use it. */
  readonly title: string;
  /**
   * Why this hash (with this salt) cannot be checked, or undefined when it can. Cheap;
   * names at most the hash's prefix, never the hash or the salt.
   */
  problem(hash: string, salt: string | undefined, params: CustomHashParams): string | undefined;
  /**
   * Whether `password` produces `hash`, compared in constant time. Only called when
   * {@link problem} found none. May take tens of milliseconds (that is the point of
   * a password hash): callers bound how many run at once.
   */
  verify(password: string, hash: string, salt: string | undefined, params: CustomHashParams): Promise<boolean>;
}
