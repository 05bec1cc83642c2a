import type { Secret } from '../secret.js';

/**
 * The MFA setup of a cidaas user, as cidaas-sync sends it.
 *
 * **ASSUMED** (docs/cidaas-api.md): cidaas's public docs show only `mfa_enabled`; the wire
 * shape `{"totp": {"secret", "algorithm", "digits", "period"}}` is our choice, and this
 * module is the only place that knows it. Change {@link mfaToWire} and
 * {@link CidaasMfaRecord} when a real tenant shows another shape.
 */
export interface CidaasMfa {
  /**
   * A time-based one-time password (RFC 6238) authenticator. Absent (`mfa: {}`) or `null`
   * (`mfa: {"totp": null}`): no authenticator, which asks the tenant to remove the seed it
   * holds. Which of the two removes it is `cidaas.compat.totpRemoval`, applied by applyCompat.
   */
  totp?: CidaasTotp | null;
}

/** A TOTP authenticator to migrate. */
export interface CidaasTotp {
  /** The shared key, base32 (RFC 4648, no padding needed). Never logged. */
  secret: Secret;
  /** HMAC algorithm; cidaas authenticators use SHA1. Default SHA1. */
  algorithm?: 'SHA1' | 'SHA256' | 'SHA512';
  /** Code length. Default 6. */
  digits?: number;
  /** Time step in seconds. Default 30. */
  period?: number;
}

/** The MFA part of a user as cidaas returns it on read: the secret is never returned. */
export interface CidaasMfaRecord {
  totp?: {
    /** True when a TOTP secret is stored for the user. */
    enrolled: boolean;
    algorithm?: string;
    digits?: number;
    period?: number;
  };
}

/** The request-body form of {@link CidaasMfa}. Reveals the TOTP secret: call only while building a request body. */
export function mfaToWire(mfa: CidaasMfa): Record<string, unknown> {
  if (mfa.totp === null) return { totp: null };
  if (!mfa.totp) return {};
  const { secret, algorithm = 'SHA1', digits = 6, period = 30 } = mfa.totp;
  return { totp: { secret: secret.reveal(), algorithm, digits, period } };
}
