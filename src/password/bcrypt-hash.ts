import type { RecognizedHash } from './password-hash-info.js';

/** The bcrypt costs cidaas accepts (`BCRYPT_4` .. `BCRYPT_20`). */
export const BCRYPT_COSTS = { min: 4, max: 20 } as const;

/**
 * Reads a modular-crypt bcrypt hash (`$2a$`, `$2b$`, `$2y$`, cost, 22 salt + 31 hash
 * characters) as `BCRYPT_<cost>`, the hash passed as is.
 *
 * @returns undefined when `hash` does not start like bcrypt (`$2$` or `$2<letter>$`),
 *   so the caller can try other formats; otherwise the info or why it cannot be used.
 */
export function parseBcryptHash(hash: string): RecognizedHash | undefined {
  const head = /^\$2([a-z]?)\$/.exec(hash);
  if (!head) return undefined;
  const prefix = head[0];
  const variant = head[1];
  if (variant !== 'a' && variant !== 'b' && variant !== 'y') {
    // $2x$ marks hashes from crypt_blowfish's sign-extension bug (CVE-2011-2483);
    // $2$ is the pre-1997 variant. cidaas documents neither.
    return {
      ok: false,
      reason: `bcrypt variant "${prefix}" is not accepted by cidaas (only $2a$, $2b$, $2y$): users must reset their password, or map it to CUSTOM_<name>`,
    };
  }
  if (hash.length !== 60) {
    return { ok: false, reason: `bcrypt hash (prefix "${prefix}") must be 60 characters, got ${hash.length}: is the column truncated?` };
  }
  const match = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/.exec(hash);
  if (!match) {
    return { ok: false, reason: `bcrypt hash (prefix "${prefix}") is malformed: expected a two-digit cost and 53 characters of [./A-Za-z0-9]` };
  }
  const cost = Number(match[1]);
  if (cost < BCRYPT_COSTS.min || cost > BCRYPT_COSTS.max) {
    return {
      ok: false,
      reason: `bcrypt cost ${cost} (prefix "${prefix}") is outside the ${BCRYPT_COSTS.min}..${BCRYPT_COSTS.max} cidaas accepts`,
    };
  }
  return { ok: true, info: { algorithmTypeId: `BCRYPT_${cost}`, passwordHash: hash } };
}
