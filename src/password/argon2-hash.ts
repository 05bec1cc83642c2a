import type { RecognizedHash } from './password-hash-info.js';

// PHC string format: https://github.com/P-H-C/phc-string-format/blob/master/phc-sf-spec.md
// `v=` is absent in hashes from argon2 1.0 (version 0x10); salt and hash are unpadded base64.
const PHC_ARGON2 =
  /^\$argon2(?:id|i|d)\$(?:v=\d+\$)?m=\d+,t=\d+,p=\d+(?:,keyid=[A-Za-z0-9+/]+)?(?:,data=[A-Za-z0-9+/]+)?\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{6,}$/;

/**
 * Reads an argon2 PHC string (`$argon2id$v=19$m=..,t=..,p=..$salt$hash`, `$argon2i$`,
 * `$argon2d$`) as `ARGON2`, passed as is.
 *
 * @returns undefined when `hash` does not start with `$argon2`; otherwise the info or
 *   why it cannot be used.
 */
export function parseArgon2Hash(hash: string): RecognizedHash | undefined {
  const head = /^\$argon2[a-z0-9]*\$/.exec(hash);
  if (!head) return undefined;
  if (!PHC_ARGON2.test(hash)) {
    return {
      ok: false,
      reason: `argon2 hash (prefix "${head[0]}") is not a PHC string: expected the version, the m, t and p parameters, a salt and a hash, each after a "$"`,
    };
  }
  return { ok: true, info: { algorithmTypeId: 'ARGON2', passwordHash: hash } };
}
