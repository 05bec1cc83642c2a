import { CustomAlgorithm } from './custom-algorithm.js';
import type { CustomHashFormat } from './custom-hash-format.js';
import { portableProblem, portableVerify } from './portable-hash.js';

const LENGTH = 34;

/** phpass portable hashes: `$P$` (WordPress, Joomla 2.5-3) and `$H$` (phpBB 3), MD5 inside. */
export const phpassHash: CustomHashFormat = {
  id: CustomAlgorithm.phpass,
  title: 'phpass $P$ / $H$ (WordPress before 6.8, phpBB 3, Joomla 2.5-3)',
  problem: (hash) => portableProblem(hash, ['$P$', '$H$'], LENGTH),
  verify: (password, hash) => Promise.resolve(portableVerify(Buffer.from(password, 'utf8'), hash, 'md5', LENGTH)),
};
