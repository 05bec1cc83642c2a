import { createHash } from 'node:crypto';
import { CustomAlgorithm } from './custom-algorithm.js';
import type { CustomHashFormat } from './custom-hash-format.js';
import { portableProblem, portableVerify } from './portable-hash.js';

// Drupal 7 includes/password.inc: DRUPAL_HASH_LENGTH = 55 for $S$; imported phpass
// hashes ($P$, $H$) keep their 34. A `U` in front marks a Drupal 6 md5(password)
// that user_update_7000() re-hashed: the password is MD5-hex'ed first.
const S_LENGTH = 55;
const P_LENGTH = 34;

function split(hash: string): { updated: boolean; inner: string; length: number } {
  const updated = hash.startsWith('U$');
  const inner = updated ? hash.slice(1) : hash;
  return { updated, inner, length: inner.startsWith('$S$') ? S_LENGTH : P_LENGTH };
}

/** Drupal 7: `$S$` (SHA-512), and `U$S$` / `U$P$` / `U$H$` (re-hashed Drupal 6 MD5). */
export const drupal7Hash: CustomHashFormat = {
  id: CustomAlgorithm.drupal7,
  title: 'Drupal 7 $S$ (and U$S$ re-hashed Drupal 6 passwords)',
  problem: (hash) => {
    const { updated, inner, length } = split(hash);
    return portableProblem(inner, updated ? ['$S$', '$P$', '$H$'] : ['$S$'], length);
  },
  verify: (password, hash) => {
    const { updated, inner, length } = split(hash);
    const input = updated ? Buffer.from(createHash('md5').update(password, 'utf8').digest('hex'), 'latin1') : Buffer.from(password, 'utf8');
    return Promise.resolve(portableVerify(input, inner, inner.startsWith('$S$') ? 'sha512' : 'md5', length));
  },
};
