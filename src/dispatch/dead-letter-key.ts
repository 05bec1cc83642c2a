import { createHash } from 'node:crypto';
import { MAX_KEY_LENGTH } from './entity-limits.js';

/**
 * The key a dead letter is stored under: the legacy key itself, or for a key longer than the
 * state store takes, its first 180 characters, "...", and a digest of the whole (unique, stable,
 * and short enough; `dlq list` shows the start of the key and the reason says why).
 */
export function deadLetterKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH) return key;
  return `${key.slice(0, 180)}...sha256:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}
