import { createHmac } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { CustomAlgorithm } from './custom-algorithm.js';
import type { CustomHashFormat } from './custom-hash-format.js';

// WordPress 6.8+ wp_hash_password() / wp_check_password() (wp-includes/pluggable.php): bcrypt
// of base64(HMAC-SHA384(password, key "wp-sha384")), stored as "$wp" + the $2y$ bcrypt string.
// The HMAC step lifts bcrypt's 72-byte limit, which is why cidaas's BCRYPT cannot check it.
const PREFIX = '$wp';
const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;
/** bcrypt cost above which a check is refused (2^16 rounds is ~5 s in JavaScript). */
const COST_LIMIT = 16;

/** WordPress 6.8+ `$wp$2y$`. */
export const wordpressBcryptHash: CustomHashFormat = {
  id: CustomAlgorithm.wordpressBcrypt,
  title: 'WordPress 6.8+ $wp$2y$ (bcrypt of an HMAC-SHA384)',
  problem: (hash) => {
    const m = hash.startsWith(PREFIX) ? BCRYPT.exec(hash.slice(PREFIX.length)) : null;
    if (!m) return 'not a WordPress $wp$ hash ($wp + a 60-character $2y$ bcrypt string)';
    const cost = Number(m[1]);
    if (cost < 4 || cost > COST_LIMIT) return `$wp$ hash with cost ${cost}, outside 4..${COST_LIMIT}`;
    return undefined;
  },
  verify: async (password, hash) => {
    const prehash = createHmac('sha384', 'wp-sha384').update(password, 'utf8').digest('base64');
    // bcryptjs compares in constant time; $2y$ is the same algorithm as $2b$.
    return bcrypt.compare(prehash, hash.slice(PREFIX.length).replace(/^\$2y\$/, '$2b$'));
  },
};
