/*
 * How legacy hashes become cidaas `password_hash_info` (password.algorithm: auto).
 *
 * SALT CONVENTION (ASSUMED; cidaas documents only the field names hData.salt and
 * hData.iterations, not the salt's encoding; the emulator verifies with this rule):
 *
 *   hData.salt is ALWAYS standard padded base64 of the salt BYTES that the legacy
 *   system fed to PBKDF2 (or to a salted SHA), and passwordHash is standard padded
 *   base64 of the derived key. Verification is
 *     pbkdf2(utf8(password), base64decode(hData.salt), Number(hData.iterations),
 *            base64decode(passwordHash).length, digest)  ==  base64decode(passwordHash)
 *
 *   - Django (pbkdf2_sha256$i$salt$hash): the salt is TEXT and Django uses its UTF-8
 *     bytes, so hData.salt = base64(utf8(salt)); the raw salt string is not sent.
 *   - passlib ($pbkdf2-sha256$i$ab64salt$ab64hash): the salt is random bytes in
 *     "adapted base64" (`.` for `+`, no padding), re-encoded as standard base64.
 *   - ASP.NET Identity v2/v3: the salt bytes from the binary layout, in base64.
 *   - explicitPasswordHash with a salt column: its bytes per `saltEncoding`
 *     (UTF-8 text by default), in base64.
 *   CUSTOM_<name> is the one exception: its salt goes through as the database holds
 *   it, since the customer's own service verifies it.
 *
 * If a real tenant turns out to take the salt as raw text, this comment, the
 * `toBase64(salt)` calls in pbkdf2-hash.ts / aspnet-identity-hash.ts /
 * explicit-password-hash.ts and the emulator's PBKDF2 check are what change.
 *
 * Input is trimmed first: CHAR(n) columns come back space-padded from PostgreSQL.
 * Reasons name only the format's prefix (describe-hash-prefix.ts), never the hash.
 */
import { parseArgon2Hash } from './argon2-hash.js';
import { parseAspNetIdentityHash } from './aspnet-identity-hash.js';
import { parseBcryptHash } from './bcrypt-hash.js';
import { describeHashPrefix } from './describe-hash-prefix.js';
import { describeNoPasswordMarker, noPasswordMarker } from './no-password-marker.js';
import { recognizeCustomHash } from './formats/recognize-custom-hash.js';
import { parseKeycloakCredential } from './keycloak-credential.js';
import type { RecognizedHash } from './password-hash-info.js';
import { parseDjangoPbkdf2Hash, parsePasslibPbkdf2Hash } from './pbkdf2-hash.js';
import { parseSpringDelegatingHash } from './spring-delegating-hash.js';

/** What a format may need besides the hash column. */
export interface RecognitionContext {
  /** The `password.parameters` column: JSON parameters kept apart from the hash (Keycloak's credential_data). */
  readonly parameters?: unknown;
}

const CUSTOM_HINT = 'map it to CUSTOM_<name> in a mapping module or `password.algorithm`';

/**
 * Recognises the format of a legacy password hash and turns it into the
 * `password_hash_info` cidaas verifies: bcrypt, argon2 (PHC), Django
 * (pbkdf2_sha256, pbkdf2_sha1, bcrypt, argon2), passlib PBKDF2, ASP.NET Identity v2/v3,
 * unsalted SHA-256 and SHA-1 hex, Keycloak's JSON credential (with `context.parameters`),
 * Spring Security's `{bcrypt}`, `{argon2}` and `{pbkdf2}` (spring-delegating-hash.ts).
 * Formats only the verification service can check (phpass, WordPress 6.8+ $wp$, Drupal 7, crypt(3), LDAP,
 * Django bcrypt_sha256/scrypt/md5/sha1, Joomla, Magento 2) become their CUSTOM_ id
 * (formats/recognize-custom-hash.ts); anything else comes back with a reason that says
 * which explicit algorithm to configure.
 */
export function recognizePasswordHash(hash: string, context: RecognitionContext = {}): RecognizedHash {
  const s = hash.trim();
  const marker = noPasswordMarker(s);
  if (marker) return { ok: false, reason: describeNoPasswordMarker(marker), noPassword: marker };

  const parsed =
    parseKeycloakCredential(s, context.parameters) ??
    parseBcryptHash(s) ??
    parseArgon2Hash(s) ??
    parseSpringDelegatingHash(s) ??
    recognizeCustomHash(s) ??
    parsePasslibPbkdf2Hash(s) ??
    parseDjangoPbkdf2Hash(s) ??
    parseDjangoWrapped(s) ??
    parseHex(s) ??
    parseAspNetIdentityHash(s);
  if (parsed) return parsed;
  return {
    ok: false,
    reason: `unrecognised password hash format (${describeHashPrefix(s)}): set \`password.algorithm\` to its cidaas algorithmTypeId, or ${CUSTOM_HINT}`,
  };
}

/** Django's `bcrypt$` and `argon2$` wrap another format after the prefix (`bcrypt_sha256$` is a CUSTOM_ format). */
function parseDjangoWrapped(s: string): RecognizedHash | undefined {
  if (s.startsWith('bcrypt$')) {
    return parseBcryptHash(s.slice('bcrypt$'.length)) ?? malformedDjango('bcrypt$');
  }
  if (s.startsWith('argon2$')) {
    // Django stores "argon2" + the PHC string argon2-cffi returns.
    return parseArgon2Hash(s.slice('argon2'.length)) ?? malformedDjango('argon2$');
  }
  return undefined;
}

function malformedDjango(prefix: string): RecognizedHash {
  return { ok: false, reason: `Django hash with prefix "${prefix}" does not wrap a valid hash of that kind` };
}

const HEX_DIGESTS: Record<number, { ok: true; algorithmTypeId: string } | { ok: false; reason: string }> = {
  64: { ok: true, algorithmTypeId: 'SHA256' },
  40: { ok: true, algorithmTypeId: 'SHA1' },
  32: { ok: false, reason: `looks like unsalted MD5 (32 hex characters); cidaas has no MD5 type: ${CUSTOM_HINT}` },
  128: { ok: false, reason: `looks like unsalted SHA-512 (128 hex characters); cidaas has no SHA512 type: ${CUSTOM_HINT}` },
};

/** Unsalted hex digests: SHA-256 (64) and SHA-1 (40); MD5 and SHA-512 get a reason. */
function parseHex(s: string): RecognizedHash | undefined {
  if (!/^[0-9a-fA-F]+$/.test(s)) return undefined;
  const digest = HEX_DIGESTS[s.length];
  if (digest === undefined) return undefined;
  if (!digest.ok) return digest;
  return { ok: true, info: { algorithmTypeId: digest.algorithmTypeId, passwordHash: s.toLowerCase() } };
}
