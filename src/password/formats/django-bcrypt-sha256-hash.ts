import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { CustomAlgorithm } from './custom-algorithm.js';
import type { CustomHashFormat } from './custom-hash-format.js';

// django/contrib/auth/hashers.py BCryptSHA256PasswordHasher: bcrypt of the 64-character
// hex SHA-256 of the password, stored as "bcrypt_sha256$" + the bcrypt string. The
// SHA-256 step lifts bcrypt's 72-byte limit, which is why cidaas's BCRYPT cannot check it.
const PREFIX = 'bcrypt_sha256$';
const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;
/** bcrypt cost above which a check is refused (2^16 rounds is ~5 s in JavaScript). */
const COST_LIMIT = 16;

/** Django `bcrypt_sha256$`. */
export const djangoBcryptSha256Hash: CustomHashFormat = {
  id: CustomAlgorithm.djangoBcryptSha256,
  title: 'Django bcrypt_sha256$',
  problem: (hash) => {
    const m = hash.startsWith(PREFIX) ? BCRYPT.exec(hash.slice(PREFIX.length)) : null;
    if (!m) return 'not a Django bcrypt_sha256$ hash (bcrypt_sha256$ + a 60-character $2b$ bcrypt string)';
    const cost = Number(m[1]);
    if (cost < 4 || cost > COST_LIMIT) return `bcrypt_sha256$ hash with cost ${cost}, outside 4..${COST_LIMIT}`;
    return undefined;
  },
  verify: async (password, hash) => {
    const digest = createHash('sha256').update(password, 'utf8').digest('hex');
    // bcryptjs compares in constant time; $2y$ is the same algorithm as $2b$.
    return bcrypt.compare(digest, hash.slice(PREFIX.length).replace(/^\$2y\$/, '$2b$'));
  },
};
