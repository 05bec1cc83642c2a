import { createHash } from 'node:crypto';
import { decodeBase64 } from '../hash-bytes.js';
import { equalBytes } from './constant-time.js';
import { CustomAlgorithm } from './custom-algorithm.js';
import type { CustomHashFormat } from './custom-hash-format.js';

/*
 * RFC 2307 userPassword schemes as OpenLDAP's slappasswd writes them: `{SHA}` is
 * base64(sha1(password)); `{SSHA}`, `{SSHA256}`, `{SSHA512}` are base64(digest(password +
 * salt) + salt), the salt being whatever follows the digest (4 bytes from slappasswd,
 * 8-16 from other tools).
 */

interface Scheme {
  readonly prefix: string;
  readonly digest: 'sha1' | 'sha256' | 'sha512';
  readonly bytes: number;
  readonly salted: boolean;
}

/** A salt shorter than this is a mangled value (passlib refuses < 4 too). */
const MIN_SALT = 4;

function decode(scheme: Scheme, hash: string): { digest: Buffer; salt: Buffer } | string {
  if (!hash.startsWith(scheme.prefix)) return `not a ${scheme.prefix} hash`;
  const bytes = decodeBase64(hash.slice(scheme.prefix.length));
  if (bytes === undefined) return `${scheme.prefix} hash that is not valid base64`;
  if (!scheme.salted) return bytes.length === scheme.bytes ? { digest: bytes, salt: Buffer.alloc(0) } : `${scheme.prefix} hash that is not a ${scheme.bytes}-byte digest`;
  if (bytes.length < scheme.bytes + MIN_SALT) return `${scheme.prefix} hash too short for a ${scheme.bytes}-byte digest and a salt`;
  return { digest: bytes.subarray(0, scheme.bytes), salt: bytes.subarray(scheme.bytes) };
}

function format(scheme: Scheme, id: CustomHashFormat['id']): CustomHashFormat {
  return {
    id,
    title: `LDAP ${scheme.prefix} (OpenLDAP, 389-ds, RFC 2307)`,
    problem: (hash) => {
      const d = decode(scheme, hash);
      return typeof d === 'string' ? d : undefined;
    },
    verify: (password, hash) => {
      const d = decode(scheme, hash) as { digest: Buffer; salt: Buffer };
      const computed = createHash(scheme.digest).update(password, 'utf8').update(d.salt).digest();
      return Promise.resolve(equalBytes(computed, d.digest));
    },
  };
}

/** `{SHA}`: unsalted SHA-1. */
export const ldapShaHash = format({ prefix: '{SHA}', digest: 'sha1', bytes: 20, salted: false }, CustomAlgorithm.ldapSha);
/** `{SSHA}`: salted SHA-1. */
export const ldapSshaHash = format({ prefix: '{SSHA}', digest: 'sha1', bytes: 20, salted: true }, CustomAlgorithm.ldapSsha);
/** `{SSHA256}`: salted SHA-256. */
export const ldapSsha256Hash = format({ prefix: '{SSHA256}', digest: 'sha256', bytes: 32, salted: true }, CustomAlgorithm.ldapSsha256);
/** `{SSHA512}`: salted SHA-512. */
export const ldapSsha512Hash = format({ prefix: '{SSHA512}', digest: 'sha512', bytes: 64, salted: true }, CustomAlgorithm.ldapSsha512);
