import { createHash } from 'node:crypto';
import { equalText } from './constant-time.js';
import { cryptTo64 } from './crypt-base64.js';
import { CustomAlgorithm } from './custom-algorithm.js';
import type { CustomHashFormat } from './custom-hash-format.js';

// Poul-Henning Kamp's md5-crypt, as in FreeBSD lib/libcrypt/crypt-md5.c and glibc
// crypt/md5-crypt.c: `$1$` + salt (up to 8 characters) + `$` + 22 characters.
const MAGIC = '$1$';
const SHAPE = /^\$1\$([^$]{0,8})\$([./0-9A-Za-z]{22})$/;

function md5(...parts: (Buffer | string)[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** md5-crypt of `password` with `salt`: the full `$1$salt$hash` string. */
export function md5Crypt(password: Buffer, salt: string): string {
  const saltBytes = Buffer.from(salt, 'latin1');
  const alt = md5(password, saltBytes, password);
  const ctx = createHash('md5').update(password).update(MAGIC).update(saltBytes);
  for (let left = password.length; left > 0; left -= 16) ctx.update(alt.subarray(0, Math.min(left, 16)));
  for (let i = password.length; i > 0; i >>= 1) ctx.update(i & 1 ? Buffer.of(0) : password.subarray(0, 1));
  let f = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const c = createHash('md5');
    c.update(i & 1 ? password : f);
    if (i % 3) c.update(saltBytes);
    if (i % 7) c.update(password);
    c.update(i & 1 ? f : password);
    f = c.digest();
  }
  const out =
    cryptTo64(f[0]!, f[6]!, f[12]!, 4) +
    cryptTo64(f[1]!, f[7]!, f[13]!, 4) +
    cryptTo64(f[2]!, f[8]!, f[14]!, 4) +
    cryptTo64(f[3]!, f[9]!, f[15]!, 4) +
    cryptTo64(f[4]!, f[10]!, f[5]!, 4) +
    cryptTo64(0, 0, f[11]!, 2);
  return `${MAGIC}${salt}$${out}`;
}

/** crypt(3) md5-crypt `$1$` (Linux /etc/shadow, Cisco, old PHP crypt()). */
export const md5CryptHash: CustomHashFormat = {
  id: CustomAlgorithm.md5Crypt,
  title: 'md5-crypt $1$ (crypt(3), /etc/shadow)',
  problem: (hash) => (SHAPE.test(hash) ? undefined : 'not a $1$ md5-crypt hash ($1$<salt up to 8>$<22 characters>)'),
  verify: (password, hash) => {
    const salt = SHAPE.exec(hash)![1]!;
    return Promise.resolve(equalText(md5Crypt(Buffer.from(password, 'utf8'), salt), hash));
  },
};
