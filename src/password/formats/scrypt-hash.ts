import { scrypt } from 'node:crypto';
import { decodeBase64 } from '../hash-bytes.js';
import { equalBytes } from './constant-time.js';
import { CustomAlgorithm } from './custom-algorithm.js';
import type { CustomHashFormat } from './custom-hash-format.js';

// django/contrib/auth/hashers.py ScryptPasswordHasher: "scrypt$N$salt$r$p$" + base64 of
// hashlib.scrypt(password, salt=salt (text), n=N, r=r, p=p, dklen=64).
const SHAPE = /^scrypt\$(\d{1,8})\$([^$]+)\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9+/]+={0,2})$/;
/** Largest work the verifier runs: N*r*p*128 bytes of memory, here 256 MiB. */
const MAX_MEMORY = 256 * 1024 * 1024;

/** Runs node:crypto scrypt with enough `maxmem` for the parameters. */
export function scryptBytes(password: Buffer | string, salt: Buffer | string, keylen: number, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, { N, r, p, maxmem: 128 * N * r * p + 1024 * 1024 * 2 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

interface Parsed {
  readonly N: number;
  readonly salt: string;
  readonly r: number;
  readonly p: number;
  readonly key: Buffer;
}

function parse(hash: string): Parsed | string {
  const m = SHAPE.exec(hash);
  const key = m ? decodeBase64(m[5]!) : undefined;
  if (!m || key === undefined || key.length < 16) return 'not a Django scrypt$N$salt$r$p$hash hash';
  const [N, r, p] = [Number(m[1]), Number(m[3]), Number(m[4])];
  if (N < 2 || (N & (N - 1)) !== 0 || r < 1 || p < 1) return 'scrypt hash with invalid parameters (N a power of 2, r and p >= 1)';
  if (128 * N * r * p > MAX_MEMORY) return 'scrypt hash asks for more than the verifier\'s limit of 256 MiB';
  return { N, salt: m[2]!, r, p, key };
}

/** Django `scrypt$` (Django 4.0+). */
export const scryptHash: CustomHashFormat = {
  id: CustomAlgorithm.scrypt,
  title: 'scrypt (Django scrypt$N$salt$r$p$hash)',
  problem: (hash) => {
    const p = parse(hash);
    return typeof p === 'string' ? p : undefined;
  },
  verify: async (password, hash) => {
    const p = parse(hash) as Parsed;
    const derived = await scryptBytes(Buffer.from(password, 'utf8'), Buffer.from(p.salt, 'utf8'), p.key.length, p.N, p.r, p.p);
    return equalBytes(derived, p.key);
  },
};
