import { equalBytes } from './constant-time.js';
import { CustomAlgorithm } from './custom-algorithm.js';
import type { CustomHashFormat } from './custom-hash-format.js';
import { saltedDigest } from './salted-digest-hash.js';

// Joomla 1.5-3 libraries/joomla/user/helper.php (getCryptedPassword, 'md5-hex'):
// md5(password . salt) in hex, stored as "hash:salt" (Joomla 1.0: "hash:" without salt).
const SHAPE = /^([0-9a-fA-F]{32}):(.{0,64})$/s;

/** Joomla `md5hex:salt`. */
export const joomlaMd5Hash: CustomHashFormat = {
  id: CustomAlgorithm.joomlaMd5,
  title: 'Joomla md5:salt (Joomla 1.5-3 before phpass)',
  problem: (hash) => (SHAPE.test(hash) ? undefined : 'not a Joomla <32 hex digits>:<salt> hash'),
  verify: (password, hash) => {
    const [, hex, salt] = SHAPE.exec(hash)!;
    return Promise.resolve(equalBytes(saltedDigest('md5', password, salt!), Buffer.from(hex!, 'hex')));
  },
};
