import { decodeAb64, decodeBase64, toBase64 } from './hash-bytes.js';
import type { RecognizedHash } from './password-hash-info.js';

/** The PBKDF2 digests cidaas has an algorithmTypeId for, with their output size. */
export const PBKDF2_DIGESTS = {
  PBKDF2_SHA256: { digest: 'sha256', bytes: 32 },
  PBKDF2_SHA1: { digest: 'sha1', bytes: 20 },
  /** ASSUMED id, named like the other two (docs/cidaas-api.md Revision 2). */
  PBKDF2_SHA512: { digest: 'sha512', bytes: 64 },
} as const;

/** The derived key lengths cidaas takes in `hData.keylen` (bytes). */
export const PBKDF2_KEYLEN = { min: 16, max: 128 } as const;

/**
 * `{ keylen }` when a derived key of `bytes` bytes is not the natural size of the algorithm's
 * digest (cidaas then needs to be told), `{}` when it is; `undefined` when no PBKDF2 can
 * derive it in cidaas (outside {@link PBKDF2_KEYLEN}).
 */
export function pbkdf2Keylen(algorithmTypeId: Pbkdf2AlgorithmTypeId, bytes: number): { keylen?: string } | undefined {
  if (bytes === PBKDF2_DIGESTS[algorithmTypeId].bytes) return {};
  if (bytes < PBKDF2_KEYLEN.min || bytes > PBKDF2_KEYLEN.max) return undefined;
  return { keylen: String(bytes) };
}
export type Pbkdf2AlgorithmTypeId = keyof typeof PBKDF2_DIGESTS;

/** The largest iteration count accepted (PBKDF2 counts are 32-bit in most libraries). */
const MAX_ITERATIONS = 0xffffffff;

/**
 * A PBKDF2 iteration count as cidaas wants it (decimal string), or undefined when
 * `value` is not a whole number in 1..2^32-1.
 */
export function parseIterations(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
  else if (typeof value === 'string') text = value.trim();
  else return undefined;
  if (!/^[1-9]\d{0,9}$/.test(text) || Number(text) > MAX_ITERATIONS) return undefined;
  return text;
}

const DJANGO_ALGORITHMS: Record<string, Pbkdf2AlgorithmTypeId> = {
  pbkdf2_sha256: 'PBKDF2_SHA256',
  pbkdf2_sha1: 'PBKDF2_SHA1',
};

/**
 * Reads Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>` (and `pbkdf2_sha1$`).
 * Django feeds PBKDF2 the UTF-8 bytes of the salt TEXT
 * (django/contrib/auth/hashers.py, PBKDF2PasswordHasher.encode), so hData.salt is
 * base64 of those bytes, per the convention in `recognize-password-hash.ts`.
 *
 * @returns undefined when `hash` does not start with `pbkdf2_sha256$` or `pbkdf2_sha1$`.
 */
export function parseDjangoPbkdf2Hash(hash: string): RecognizedHash | undefined {
  const head = /^(pbkdf2_sha256|pbkdf2_sha1)\$/.exec(hash);
  if (!head) return undefined;
  const prefix = head[0];
  const algorithmTypeId = DJANGO_ALGORITHMS[head[1] ?? ''];
  const parts = hash.split('$');
  if (algorithmTypeId === undefined || parts.length !== 4) {
    return { ok: false, reason: `Django PBKDF2 hash (prefix "${prefix}") is malformed: expected ${prefix}<iterations>$<salt>$<base64 hash>` };
  }
  const [, iterationText, salt, encoded] = parts as [string, string, string, string];
  return pbkdf2Info(prefix, algorithmTypeId, iterationText, salt === '' ? undefined : Buffer.from(salt, 'utf8'), decodeBase64(encoded));
}

/**
 * Reads passlib's `$pbkdf2-sha256$<iterations>$<ab64 salt>$<ab64 hash>` and `$pbkdf2$`
 * (SHA-1). passlib's salt is random bytes in adapted base64, so hData.salt is those
 * bytes in standard base64, per the convention in `recognize-password-hash.ts`.
 * `$pbkdf2-sha512$` is PBKDF2_SHA512; other digests have no cidaas algorithm and are refused with a reason.
 *
 * @returns undefined when `hash` does not start with `$pbkdf2`.
 */
export function parsePasslibPbkdf2Hash(hash: string): RecognizedHash | undefined {
  const head = /^\$pbkdf2(?:-[a-z0-9]+)?\$/.exec(hash);
  if (!head) return undefined;
  const prefix = head[0];
  const algorithmTypeId: Pbkdf2AlgorithmTypeId | undefined =
    prefix === '$pbkdf2-sha256$' ? 'PBKDF2_SHA256' : prefix === '$pbkdf2$' ? 'PBKDF2_SHA1' : prefix === '$pbkdf2-sha512$' ? 'PBKDF2_SHA512' : undefined;
  if (algorithmTypeId === undefined) {
    return {
      ok: false,
      reason: `passlib hash with prefix "${prefix}" has no cidaas algorithm (cidaas knows PBKDF2_SHA256, PBKDF2_SHA1 and PBKDF2_SHA512): map it to CUSTOM_<name> in a mapping module or password.algorithm`,
    };
  }
  const parts = hash.split('$');
  if (parts.length !== 5) {
    return { ok: false, reason: `passlib PBKDF2 hash (prefix "${prefix}") is malformed: expected ${prefix}<iterations>$<ab64 salt>$<ab64 hash>` };
  }
  const [, , iterationText, salt, encoded] = parts as [string, string, string, string, string];
  return pbkdf2Info(prefix, algorithmTypeId, iterationText, salt === '' ? undefined : decodeAb64(salt), decodeAb64(encoded));
}

function pbkdf2Info(
  prefix: string,
  algorithmTypeId: Pbkdf2AlgorithmTypeId,
  iterationText: string,
  salt: Buffer | undefined,
  derived: Buffer | undefined,
): RecognizedHash {
  const iterations = parseIterations(iterationText);
  if (iterations === undefined) {
    return { ok: false, reason: `PBKDF2 hash (prefix "${prefix}") has no valid iteration count` };
  }
  if (salt === undefined || salt.length === 0) {
    return { ok: false, reason: `PBKDF2 hash (prefix "${prefix}") has a missing or undecodable salt` };
  }
  const expected = PBKDF2_DIGESTS[algorithmTypeId].bytes;
  if (derived === undefined || derived.length !== expected) {
    // Both Django and passlib derive exactly the digest size; anything else is a
    // truncated or mangled column and could never verify.
    return {
      ok: false,
      reason: `PBKDF2 hash (prefix "${prefix}") does not decode to the ${expected} bytes ${algorithmTypeId} produces: is the column truncated?`,
    };
  }
  return {
    ok: true,
    info: { algorithmTypeId, passwordHash: toBase64(derived), hData: { salt: toBase64(salt), iterations } },
  };
}
