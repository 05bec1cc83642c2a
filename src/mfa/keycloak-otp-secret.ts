import { base32Decode, base32Encode } from './base32.js';
import { MIN_TOTP_SECRET_BYTES, type NormalizedTotpSecret } from './normalize-totp-secret.js';

/*
 * Keycloak keeps an OTP device as a `credential` row of type 'otp' (keycloak/keycloak,
 * server-spi .../models/credential/OTPCredentialModel.java and dto/OTPSecretData.java,
 * dto/OTPCredentialData.java):
 *
 * - secret_data: {"value": "<secret>"}: the key as TEXT. getDecodedSecret() uses the UTF-8
 *   bytes of that text, unless credential_data says "secretEncoding": "BASE32", then the text is
 *   base32 of the key. The authenticator app got Base32.encode(secret.getBytes())
 *   (TotpBean, TotpUtils.encode), so the key cidaas needs is those bytes, in base32.
 * - credential_data: {"subType": "totp", "digits": 6, "period": 30, "algorithm": "HmacSHA1",
 *   "counter": 0, "secretEncoding": null}.
 */

type Json = Record<string, unknown>;

function parseObject(value: unknown): Json | undefined {
  const text = value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value;
  if (typeof text !== 'string') return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The TOTP key of a Keycloak OTP credential as cidaas takes it (base32), or why not: HOTP
 * devices and TOTP policies other than HmacSHA1, 6 digits, 30 seconds have no cidaas TOTP import.
 * Reasons never contain the secret.
 */
export function keycloakOtpSecret(secretData: unknown, credentialData: unknown): NormalizedTotpSecret {
  const secret = parseObject(secretData);
  const value = secret?.['value'];
  if (typeof value !== 'string' || value === '') return { ok: false, reason: 'Keycloak OTP secret_data is not {"value": "<secret>"}' };
  const params = parseObject(credentialData);
  if (params === undefined) return { ok: false, reason: 'Keycloak OTP credential needs its credential_data: set `mfa.parameters: credential_data`' };
  const subType = params['subType'] ?? 'totp';
  if (subType !== 'totp') return { ok: false, reason: `Keycloak OTP device of subType ${JSON.stringify(String(subType).slice(0, 8))}: only TOTP can be migrated` };
  const digits = Number(params['digits'] ?? 6);
  const period = Number(params['period'] ?? 30);
  const algorithm = String(params['algorithm'] ?? 'HmacSHA1');
  if (digits !== 6 || period !== 30 || algorithm !== 'HmacSHA1') {
    return { ok: false, reason: `Keycloak OTP policy ${algorithm.slice(0, 12)}/${digits} digits/${period} s: the migrated TOTP is HmacSHA1, 6 digits, 30 s; the user must enrol again` };
  }
  let bytes: Buffer;
  if (typeof params['secretEncoding'] === 'string' && params['secretEncoding'].toUpperCase() === 'BASE32') {
    try {
      bytes = base32Decode(value.replace(/[\s-]/g, ''));
    } catch {
      return { ok: false, reason: 'Keycloak OTP secret with secretEncoding BASE32 is not base32' };
    }
  } else {
    bytes = Buffer.from(value, 'utf8');
  }
  if (bytes.length < MIN_TOTP_SECRET_BYTES) return { ok: false, reason: `Keycloak OTP key has ${bytes.length} bytes, fewer than ${MIN_TOTP_SECRET_BYTES}` };
  return { ok: true, base32: base32Encode(bytes) };
}
