import { createHash } from 'node:crypto';
import { equalText } from './constant-time.js';
import { cryptTo64 } from './crypt-base64.js';
import { CustomAlgorithm } from './custom-algorithm.js';
import type { CustomHashFormat } from './custom-hash-format.js';

/*
 * sha256-crypt `$5$` and sha512-crypt `$6$`: Ulrich Drepper, "Unix crypt using SHA-256
 * and SHA-512" (https://www.akkadia.org/drepper/SHA-crypt.txt), as in glibc
 * crypt/sha256-crypt.c and sha512-crypt.c.
 */

const ROUNDS_DEFAULT = 5000;
const ROUNDS_MIN = 1000;
const ROUNDS_MAX = 999_999_999;
/** Above this a check is refused, not run: 10^6 rounds is already seconds of CPU in Node. */
export const SHA_CRYPT_ROUNDS_LIMIT = 1_000_000;

interface Variant {
  readonly magic: '$5$' | '$6$';
  readonly digest: 'sha256' | 'sha512';
  readonly hashLength: number;
  /** Byte triples for the output encoding, then the trailing bytes. */
  readonly order: readonly (readonly [number, number, number])[];
  readonly tail: (f: Buffer) => string;
}

const SHA256: Variant = {
  magic: '$5$',
  digest: 'sha256',
  hashLength: 43,
  order: [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]],
  tail: (f) => cryptTo64(0, f[31]!, f[30]!, 3),
};

const SHA512: Variant = {
  magic: '$6$',
  digest: 'sha512',
  hashLength: 86,
  order: [
    [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
    [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
  ],
  tail: (f) => cryptTo64(0, 0, f[63]!, 2),
};

interface Parsed {
  readonly rounds: number;
  readonly roundsGiven: boolean;
  readonly salt: string;
}

function parse(variant: Variant, hash: string): Parsed | string {
  if (!hash.startsWith(variant.magic)) return `not a ${variant.magic} hash`;
  let rest = hash.slice(3);
  let rounds = ROUNDS_DEFAULT;
  let roundsGiven = false;
  const r = /^rounds=(\d{1,10})\$/.exec(rest);
  if (r) {
    rounds = Math.min(Math.max(Number(r[1]), ROUNDS_MIN), ROUNDS_MAX);
    roundsGiven = true;
    rest = rest.slice(r[0].length);
  }
  const dollar = rest.indexOf('$');
  if (dollar < 0 || dollar > 16) return `${variant.magic} hash without a salt of at most 16 characters`;
  const encoded = rest.slice(dollar + 1);
  if (encoded.length !== variant.hashLength || !/^[./0-9A-Za-z]+$/.test(encoded)) {
    return `${variant.magic} hash whose digest is not ${variant.hashLength} crypt-base64 characters: is the column truncated?`;
  }
  if (rounds > SHA_CRYPT_ROUNDS_LIMIT) return `${variant.magic} hash asks for ${rounds} rounds, above the verifier's limit of ${SHA_CRYPT_ROUNDS_LIMIT}`;
  return { rounds, roundsGiven, salt: rest.slice(0, dollar) };
}

function repeated(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += block.length) block.copy(out, i, 0, Math.min(block.length, length - i));
  return out;
}

/** The full crypt string of `password` under the variant, salt and rounds. */
function shaCrypt(variant: Variant, password: Buffer, p: Parsed): string {
  const H = (): ReturnType<typeof createHash> => createHash(variant.digest);
  const salt = Buffer.from(p.salt, 'latin1');
  const b = H().update(password).update(salt).update(password).digest();
  const a = H().update(password).update(salt);
  a.update(repeated(b, password.length));
  for (let i = password.length; i > 0; i >>= 1) a.update(i & 1 ? b : password);
  let f = a.digest();

  const dp = H();
  for (let i = 0; i < password.length; i++) dp.update(password);
  const pBytes = repeated(dp.digest(), password.length);
  const ds = H();
  for (let i = 0; i < 16 + f[0]!; i++) ds.update(salt);
  const sBytes = repeated(ds.digest(), salt.length);

  for (let r = 0; r < p.rounds; r++) {
    const c = H();
    c.update(r & 1 ? pBytes : f);
    if (r % 3) c.update(sBytes);
    if (r % 7) c.update(pBytes);
    c.update(r & 1 ? f : pBytes);
    f = c.digest();
  }
  let out = '';
  for (const [x, y, z] of variant.order) out += cryptTo64(f[x]!, f[y]!, f[z]!, 4);
  out += variant.tail(f);
  const rounds = p.roundsGiven ? `rounds=${p.rounds}$` : '';
  return `${variant.magic}${rounds}${p.salt}$${out}`;
}

function format(variant: Variant, id: CustomHashFormat['id'], title: string): CustomHashFormat {
  return {
    id,
    title,
    problem: (hash) => {
      const p = parse(variant, hash);
      return typeof p === 'string' ? p : undefined;
    },
    verify: (password, hash) => {
      const p = parse(variant, hash) as Parsed;
      return Promise.resolve(equalText(shaCrypt(variant, Buffer.from(password, 'utf8'), p), hash));
    },
  };
}

/** crypt(3) sha256-crypt `$5$`. */
export const sha256CryptHash = format(SHA256, CustomAlgorithm.sha256Crypt, 'sha256-crypt $5$ (crypt(3), /etc/shadow)');
/** crypt(3) sha512-crypt `$6$` (the Linux /etc/shadow default before yescrypt). */
export const sha512CryptHash = format(SHA512, CustomAlgorithm.sha512Crypt, 'sha512-crypt $6$ (crypt(3), /etc/shadow)');
