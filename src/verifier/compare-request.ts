import { customHashFormat } from '../password/formats/custom-hash-formats.js';
import type { CustomHashFormat } from '../password/formats/custom-hash-format.js';

/** A parsed `?action=compare` body (docs/cidaas-api.md "Custom password verification"). */
export interface CompareRequest {
  readonly format: CustomHashFormat;
  readonly hash: string;
  readonly salt: string | undefined;
  readonly password: string;
}

/**
 * Reads `{"passwordVerification": {"passwordHash", "hData": {"salt"?}}, "password",
 * "algorithm"}`. The error names fields and at most the algorithm id, never a value
 * that could be a password or a hash.
 */
export function parseCompareRequest(body: Buffer): CompareRequest | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { error: 'the body is not JSON' };
  }
  if (!isObject(json)) return { error: 'the body must be a JSON object' };
  const { passwordVerification: pv, password, algorithm } = json;
  if (typeof algorithm !== 'string') return { error: 'algorithm must be a string (the CUSTOM_ algorithmTypeId)' };
  const format = customHashFormat(algorithm);
  if (format === undefined) {
    const shown = /^[A-Za-z][A-Za-z0-9_-]{0,40}$/.test(algorithm) ? `"${algorithm}"` : '(not an algorithm id)';
    return { error: `unsupported algorithm ${shown}: this verifier checks the CUSTOM_ ids listed in the README` };
  }
  if (typeof password !== 'string') return { error: 'password must be a string' };
  if (!isObject(pv) || typeof pv['passwordHash'] !== 'string') return { error: 'passwordVerification.passwordHash must be a string' };
  const hData = pv['hData'];
  if (hData !== undefined && hData !== null && !isObject(hData)) return { error: 'passwordVerification.hData must be an object' };
  const salt = isObject(hData) ? hData['salt'] : undefined;
  if (salt !== undefined && salt !== null && typeof salt !== 'string') return { error: 'passwordVerification.hData.salt must be a string' };
  return { format, hash: pv['passwordHash'].trim(), salt: typeof salt === 'string' ? salt : undefined, password };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
