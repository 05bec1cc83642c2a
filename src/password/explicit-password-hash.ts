import { parseArgon2Hash } from './argon2-hash.js';
import { parseAspNetIdentityHash } from './aspnet-identity-hash.js';
import { BCRYPT_COSTS, parseBcryptHash } from './bcrypt-hash.js';
import { describeHashPrefix, hashPrefix } from './describe-hash-prefix.js';
import { explicitCustomHashProblem } from './formats/recognize-custom-hash.js';
import { decodeBase64, decodeHex, toBase64 } from './hash-bytes.js';
import type { PasswordHashInfo, RecognizedHash } from './password-hash-info.js';
import { PBKDF2_KEYLEN, type Pbkdf2AlgorithmTypeId, parseDjangoPbkdf2Hash, parseIterations, parsePasslibPbkdf2Hash, pbkdf2Keylen } from './pbkdf2-hash.js';
import { recognizePasswordHash } from './recognize-password-hash.js';

/**
 * Values a legacy schema keeps next to the hash, in their own columns, as the
 * database driver returns them.
 */
export interface ExplicitHashExtras {
  /**
   * The salt. Bytes (bytea, BLOB) are used as they are; text is read per
   * `saltEncoding`. It reaches cidaas as base64 of its bytes (the ASSUMED convention
   * at the top of recognize-password-hash.ts), except for CUSTOM_<name>, which gets it
   * as given.
   */
  salt?: string | Uint8Array | null;
  /** The PBKDF2 iteration count (whole number, 1..2^32-1). */
  iterations?: string | number | bigint | null;
  /**
   * How a text salt turns into the bytes the legacy system hashed: `utf8` (default:
   * the text's own bytes, as Django and most hand-written schemes do), `base64` or `hex`.
   */
  saltEncoding?: 'utf8' | 'base64' | 'hex';
}

const SHA_BYTES: Record<string, number> = { SHA256: 32, SHA1: 20 };
const MIN_DERIVED_BYTES = 16;
const SUPPORTED = 'BCRYPT_<4..20>, PBKDF2_SHA256, PBKDF2_SHA1, PBKDF2_SHA512, ARGON2, SHA256, SHA1, CUSTOM_<name> or auto';

/**
 * Builds `password_hash_info` for a configured cidaas algorithm (`password.algorithm`
 * or a per-row algorithm column) and checks the hash fits it:
 * - `BCRYPT_<n>`: a bcrypt hash of cost n (`BCRYPT` alone takes the cost from the hash);
 * - `PBKDF2_SHA256` / `PBKDF2_SHA1`: a Django, passlib or ASP.NET Identity string of that
 *   digest, or a bare derived key (base64, or hex when it is all hex digits and at least
 *   32 long) with `extras.salt` and `extras.iterations`;
 * - `ARGON2`: a PHC string (Django's `argon2$` prefix is dropped);
 * - `SHA256` / `SHA1`: the digest in hex (or base64), optional `extras.salt`;
 * - `CUSTOM_<name>`: any non-empty hash, salt and iterations passed through as given;
 * - `auto`: {@link recognizePasswordHash}; extras are ignored.
 * The hash is trimmed first. Reasons name the hash's prefix at most.
 */
export function explicitPasswordHash(hash: string, algorithm: string, extras: ExplicitHashExtras = {}): RecognizedHash {
  const s = hash.trim();
  const algo = algorithm.trim();
  if (s === '') return { ok: false, reason: 'empty password hash' };

  const upper = algo.toUpperCase();
  if (upper === 'AUTO') return recognizePasswordHash(s);
  const custom = /^CUSTOM_([A-Za-z0-9_-]+)$/i.exec(algo);
  if (custom) {
    const problem = explicitCustomHashProblem(`CUSTOM_${custom[1]}`, s, rawSalt(extras.salt));
    if (problem !== undefined) return { ok: false, reason: `hash (${describeHashPrefix(s)}) does not fit CUSTOM_${custom[1]}: ${problem}` };
    return { ok: true, info: withHData({ algorithmTypeId: `CUSTOM_${custom[1]}`, passwordHash: s }, rawSalt(extras.salt), rawIterations(extras.iterations)) };
  }
  const bcrypt = /^BCRYPT(?:_(\d{1,2}))?$/.exec(upper);
  if (bcrypt) return explicitBcrypt(s, bcrypt[1] === undefined ? undefined : Number(bcrypt[1]));
  if (upper === 'PBKDF2_SHA256' || upper === 'PBKDF2_SHA1' || upper === 'PBKDF2_SHA512') return explicitPbkdf2(s, upper, extras);
  if (upper === 'ARGON2') {
    const parsed = parseArgon2Hash(s.startsWith('argon2$') ? s.slice('argon2'.length) : s);
    return parsed ?? doesNotFit(s, 'ARGON2', 'an argon2 PHC string ($argon2id$, $argon2i$, $argon2d$)');
  }
  const shaBytes = SHA_BYTES[upper];
  if (shaBytes !== undefined) return explicitSha(s, upper, shaBytes, extras);

  // Only a short identifier is echoed: a mis-mapped column could put a hash here.
  const shown = /^[A-Za-z][A-Za-z0-9_-]{0,23}$/.test(algo) ? `"${algo}"` : '(not an algorithm name)';
  return { ok: false, reason: `unsupported algorithmTypeId ${shown}: use one of ${SUPPORTED}` };
}

function explicitBcrypt(s: string, cost: number | undefined): RecognizedHash {
  const wanted = cost === undefined ? 'BCRYPT' : `BCRYPT_${cost}`;
  if (cost !== undefined && (cost < BCRYPT_COSTS.min || cost > BCRYPT_COSTS.max)) {
    return { ok: false, reason: `unsupported algorithmTypeId "${wanted}": cidaas accepts BCRYPT_${BCRYPT_COSTS.min}..BCRYPT_${BCRYPT_COSTS.max}` };
  }
  const parsed = parseBcryptHash(s.startsWith('bcrypt$') ? s.slice('bcrypt$'.length) : s);
  if (parsed === undefined) return doesNotFit(s, wanted, 'a bcrypt hash ($2a$, $2b$, $2y$)');
  if (parsed.ok && cost !== undefined && parsed.info.algorithmTypeId !== wanted) {
    return { ok: false, reason: `bcrypt hash has ${parsed.info.algorithmTypeId.replace('BCRYPT_', 'cost ')} but the configured algorithm is ${wanted}` };
  }
  return parsed;
}

function explicitPbkdf2(s: string, algo: Pbkdf2AlgorithmTypeId, extras: ExplicitHashExtras): RecognizedHash {
  const hasColumns = present(extras.salt) || present(extras.iterations);
  // A self-describing string wins over salt/iterations columns; a bare key with
  // columns is never probed for the ASP.NET layout, which it could match by chance.
  const described = parseDjangoPbkdf2Hash(s) ?? parsePasslibPbkdf2Hash(s) ?? (hasColumns ? undefined : parseAspNetIdentityHash(s));
  if (described !== undefined) {
    if (described.ok && described.info.algorithmTypeId !== algo) {
      return { ok: false, reason: `hash (${describeHashPrefix(s)}) is ${described.info.algorithmTypeId}, but the configured algorithm is ${algo}` };
    }
    return described;
  }
  if (hashPrefix(s) !== undefined) return doesNotFit(s, algo, 'a PBKDF2 hash (Django, passlib, ASP.NET Identity, or a bare base64/hex key)');
  if (!hasColumns) {
    return { ok: false, reason: `${algo} with a bare derived key (${describeHashPrefix(s)}) needs the salt and iteration count from their columns` };
  }
  const derived = decodeDerived(s);
  if (derived === undefined || derived.length < MIN_DERIVED_BYTES) {
    return doesNotFit(s, algo, `a derived key of at least ${MIN_DERIVED_BYTES} bytes in base64 or hex`);
  }
  const iterations = parseIterations(extras.iterations);
  if (iterations === undefined) return { ok: false, reason: `${algo} needs an iteration count, a whole number in 1..4294967295` };
  const salt = saltBytes(extras);
  if (!salt.ok) return salt;
  if (salt.bytes === undefined || salt.bytes.length === 0) return { ok: false, reason: `${algo} needs a non-empty salt` };
  const keylen = pbkdf2Keylen(algo, derived.length);
  if (keylen === undefined) return doesNotFit(s, algo, `a derived key of ${PBKDF2_KEYLEN.min}..${PBKDF2_KEYLEN.max} bytes`);
  return {
    ok: true,
    info: { algorithmTypeId: algo, passwordHash: toBase64(derived), hData: { salt: toBase64(salt.bytes), iterations, ...keylen } },
  };
}

function explicitSha(s: string, algo: string, bytes: number, extras: ExplicitHashExtras): RecognizedHash {
  if (present(extras.iterations)) {
    return { ok: false, reason: `${algo} takes no iteration count: an iterated hash needs CUSTOM_<name>` };
  }
  const digest = hashPrefix(s) === undefined ? decodeDerived(s) : undefined;
  if (digest === undefined || digest.length !== bytes) return doesNotFit(s, algo, `a ${bytes}-byte digest in hex or base64`);
  const salt = saltBytes(extras);
  if (!salt.ok) return salt;
  const info: PasswordHashInfo = { algorithmTypeId: algo, passwordHash: digest.toString('hex') };
  if (salt.bytes !== undefined && salt.bytes.length > 0) info.hData = { salt: toBase64(salt.bytes) };
  return { ok: true, info };
}

/** A derived key or digest: hex when it is all hex digits and at least 32 long, else base64 (or base64url). */
function decodeDerived(s: string): Buffer | undefined {
  // 32+ characters of base64 that happen to be all hex digits is vanishingly unlikely.
  if (s.length >= 32 && /^[0-9a-fA-F]+$/.test(s)) return decodeHex(s);
  return decodeBase64(s.replace(/-/g, '+').replace(/_/g, '/'));
}

function saltBytes(extras: ExplicitHashExtras): { ok: true; bytes: Buffer | undefined } | { ok: false; reason: string } {
  const { salt } = extras;
  if (salt === undefined || salt === null) return { ok: true, bytes: undefined };
  if (typeof salt !== 'string') return { ok: true, bytes: Buffer.from(salt) };
  const encoding = extras.saltEncoding ?? 'utf8';
  // A text salt is used byte for byte: trimming could change what was hashed.
  const bytes = encoding === 'utf8' ? Buffer.from(salt, 'utf8') : encoding === 'hex' ? decodeHex(salt.trim()) : decodeBase64(salt.trim());
  if (bytes === undefined) return { ok: false, reason: `salt is not valid ${encoding} (saltEncoding: ${encoding})` };
  return { ok: true, bytes };
}

function rawSalt(salt: ExplicitHashExtras['salt']): string | undefined {
  if (salt === undefined || salt === null) return undefined;
  return typeof salt === 'string' ? salt : toBase64(salt);
}

function rawIterations(iterations: ExplicitHashExtras['iterations']): string | undefined {
  return iterations === undefined || iterations === null ? undefined : String(iterations).trim();
}

function withHData(info: PasswordHashInfo, salt: string | undefined, iterations: string | undefined): PasswordHashInfo {
  if (salt === undefined && iterations === undefined) return info;
  return {
    ...info,
    hData: { ...(salt === undefined ? {} : { salt }), ...(iterations === undefined ? {} : { iterations }) },
  };
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function doesNotFit(s: string, algo: string, expected: string): RecognizedHash {
  return { ok: false, reason: `hash (${describeHashPrefix(s)}) does not fit ${algo}: expected ${expected}` };
}
