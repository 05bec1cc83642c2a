import { hashPrefix } from '../describe-hash-prefix.js';
import type { PasswordHashInfo, RecognizedHash } from '../password-hash-info.js';
import { CustomAlgorithm, type CustomAlgorithmId } from './custom-algorithm.js';
import { customHashFormat } from './custom-hash-formats.js';

/*
 * `algorithm: auto` for the formats cidaas cannot check itself: each is pushed as its
 * CUSTOM_ id (custom-algorithm.ts) with what the verification service needs. The hash
 * goes through as the legacy database holds it, except where noted; hData.salt is sent
 * only for the hex digest schemes, as text (the CUSTOM_ exception of the salt
 * convention in recognize-password-hash.ts).
 *
 * Not recognised here, because the hash alone does not say what it is: Firebase scrypt
 * (plain base64) and salted hex digests in a separate salt column. Those take an
 * explicit `password.algorithm` (CUSTOM_FIREBASE_SCRYPT, CUSTOM_MD5_PASSWORD_SALT, ...).
 */

interface Rule {
  readonly test: RegExp;
  readonly id: CustomAlgorithmId;
  /** Splits the stored value into what is pushed, when it is not pushed as is. */
  readonly split?: (s: string) => { hash: string; salt?: string; id?: string };
}

const RULES: readonly Rule[] = [
  { test: /^\$[PH]\$/, id: CustomAlgorithm.phpass },
  { test: /^\$wp\$/, id: CustomAlgorithm.wordpressBcrypt },
  { test: /^(?:U\$[SPH]|\$S)\$/, id: CustomAlgorithm.drupal7 },
  { test: /^\$1\$/, id: CustomAlgorithm.md5Crypt },
  { test: /^\$5\$/, id: CustomAlgorithm.sha256Crypt },
  { test: /^\$6\$/, id: CustomAlgorithm.sha512Crypt },
  // RFC 2307 scheme names are case-insensitive; the verifier reads them upper case.
  { test: /^\{SHA\}/i, id: CustomAlgorithm.ldapSha, split: (s) => ({ hash: `{SHA}${s.slice(5)}` }) },
  { test: /^\{SSHA\}/i, id: CustomAlgorithm.ldapSsha, split: (s) => ({ hash: `{SSHA}${s.slice(6)}` }) },
  { test: /^\{SSHA256\}/i, id: CustomAlgorithm.ldapSsha256, split: (s) => ({ hash: `{SSHA256}${s.slice(9)}` }) },
  { test: /^\{SSHA512\}/i, id: CustomAlgorithm.ldapSsha512, split: (s) => ({ hash: `{SSHA512}${s.slice(9)}` }) },
  { test: /^bcrypt_sha256\$/, id: CustomAlgorithm.djangoBcryptSha256 },
  { test: /^scrypt\$/, id: CustomAlgorithm.scrypt },
  // Django md5$salt$hex and sha1$salt$hex are digest(salt + password). Unsalted
  // sha1$$hex is plain SHA-1, which cidaas checks itself.
  { test: /^md5\$[^$]*\$[0-9a-f]{32}$/, id: CustomAlgorithm.md5SaltPassword, split: djangoSalted },
  { test: /^sha1\$[^$]*\$[0-9a-f]{40}$/, id: CustomAlgorithm.sha1SaltPassword, split: djangoSalted },
  { test: /^[0-9a-f]{32,64}:[^:]*:(?:[012]|3_\d+_\d+_\d+)(?::(?:[012]|3_\d+_\d+_\d+))*$/, id: CustomAlgorithm.magento2 },
  { test: /^[0-9a-fA-F]{32}:[A-Za-z0-9./]{0,64}$/, id: CustomAlgorithm.joomlaMd5 },
];

function djangoSalted(s: string): { hash: string; salt?: string; id?: string } {
  const [, salt, hex] = s.split('$') as [string, string, string];
  if (salt === '' && s.startsWith('sha1$')) return { hash: hex, id: 'SHA1' };
  return salt === '' ? { hash: hex } : { hash: hex, salt };
}

/**
 * Recognises a legacy format that needs the verification service. Returns undefined
 * for anything else; a recognised but unusable hash (truncated, absurd cost) comes
 * back with a reason naming only its prefix.
 */
export function recognizeCustomHash(s: string): RecognizedHash | undefined {
  const rule = RULES.find((r) => r.test.test(s));
  if (rule === undefined) return undefined;
  const { hash, salt, id } = rule.split ? rule.split(s) : { hash: s };
  if (id === 'SHA1') return { ok: true, info: { algorithmTypeId: 'SHA1', passwordHash: hash } };
  const problem = customHashFormat(rule.id)!.problem(hash, salt, {});
  if (problem !== undefined) {
    const prefix = hashPrefix(s);
    return { ok: false, reason: `${prefix === undefined ? rule.id : `hash with prefix "${prefix}"`} cannot be used as ${rule.id}: ${problem}` };
  }
  const info: PasswordHashInfo = { algorithmTypeId: rule.id, passwordHash: hash };
  if (salt !== undefined) info.hData = { salt };
  return { ok: true, info };
}

/**
 * For an explicit `CUSTOM_<name>` this product knows: why the hash does not fit it,
 * or undefined. Other CUSTOM_ names (the customer's own service) are not checked.
 */
export function explicitCustomHashProblem(id: string, hash: string, salt: string | undefined): string | undefined {
  const format = customHashFormat(id);
  if (format === undefined || id === CustomAlgorithm.firebaseScrypt) return undefined;
  return format.problem(hash, salt, {});
}
