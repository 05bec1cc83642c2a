import { mfaToWire } from '../cidaas/cidaas-mfa.js';
import { passwordToWire, userToWire, type CidaasUser } from '../cidaas/cidaas-user.js';

/** The longest legacy key and cidaas `sub`: cidaas's limit for `sub`, and the state store's column. */
export const MAX_KEY_LENGTH = 255;
/** The longest value of a plain string field. ASSUMED: cidaas publishes no limits; 1024 is generous for names, emails and the like. */
export const MAX_FIELD_LENGTH = 1024;
/** The largest entity, serialised. ASSUMED: far above any real user, far below a bulk call's body limit. */
export const MAX_ENTITY_BYTES = 64 * 1024;

/**
 * Why this one user cannot go to cidaas as it is, or undefined. Checked before the push, per
 * user, so that a user too large (or a value that cannot be serialised) becomes a dead letter
 * with the reason instead of failing the batch it is in. Reasons name fields and sizes, never values.
 */
export function entityProblem(key: string, user: CidaasUser): string | undefined {
  if (key.length > MAX_KEY_LENGTH) {
    return `the legacy key is ${key.length} characters; cidaas-sync and cidaas take at most ${MAX_KEY_LENGTH} (map a shorter key column in users.key)`;
  }
  if (user.sub.length > MAX_KEY_LENGTH) {
    return `the sub (sub.prefix + key) is ${user.sub.length} characters; cidaas takes at most ${MAX_KEY_LENGTH} (shorten sub.prefix or map a shorter key)`;
  }
  // for...in, not Object.entries: this runs for every user pushed, and the pairs were garbage.
  for (const field in user) {
    const value = (user as unknown as Record<string, unknown>)[field];
    if (typeof value === 'string' && value.length > MAX_FIELD_LENGTH) {
      return `field ${field} is ${value.length} characters; at most ${MAX_FIELD_LENGTH} are sent (shorten it in the mapping module)`;
    }
  }
  // Serialised only when it might be too large (or not be JSON): for a real user, a bound is enough.
  const bound = wireBytesBound(user);
  if (bound !== null && bound <= MAX_ENTITY_BYTES) return undefined;
  let body: string;
  try {
    body = JSON.stringify(userToWire(user));
  } catch (err) {
    return `the entity cannot be serialised as JSON (${(err as Error).message.split('\n')[0] ?? ''}); the mapping module must return plain strings, numbers, booleans and arrays`;
  }
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_ENTITY_BYTES) return `the entity is ${bytes} bytes serialised; at most ${MAX_ENTITY_BYTES} are sent (shorten its fields or customFields)`;
  return undefined;
}

/**
 * {@link jsonBytesBound} of `userToWire(user)` without building that copy of the user: the
 * fields as they are, the password and MFA in their wire form (the hash and secret revealed only
 * to be counted).
 */
function wireBytesBound(user: CidaasUser): number | null {
  const fields = user as unknown as Record<string, unknown>;
  let total = 2;
  for (const k in fields) {
    if (!Object.hasOwn(fields, k)) continue;
    let v = fields[k];
    if (k === 'password_hash_info' || k === 'mfa') {
      // userToWire leaves out an absent one (undefined, null) and sends the wire form of the others.
      if (!v) continue;
      v = k === 'mfa' ? mfaToWire(user.mfa!) : passwordToWire(user.password_hash_info!);
    }
    const b = jsonBytesBound(v, 1);
    if (b === null) return null;
    total += 2 + 6 * k.length + 1 + b + 1;
  }
  return total;
}

/** Nesting deeper than this is serialised rather than bounded. */
const MAX_BOUND_DEPTH = 16;

/**
 * An upper bound of the UTF-8 bytes of `JSON.stringify(value)`, or null when only serialising can
 * tell (a value other than plain objects, arrays, strings, finite numbers, booleans and null, or
 * deep nesting). A string character takes at most 6 bytes (`\u001f`; UTF-8 takes at most 3 per
 * UTF-16 unit), a number at most 24 characters (`-1.7976931348623157e+308`).
 */
function jsonBytesBound(value: unknown, depth: number): number | null {
  switch (typeof value) {
    case 'string': return 2 + 6 * value.length;
    case 'number': return 24;
    case 'boolean': return 5;
    case 'undefined': return 4;
    case 'object': break;
    default: return null;
  }
  if (value === null) return 4;
  if (depth >= MAX_BOUND_DEPTH) return null;
  let total = 2;
  if (Array.isArray(value)) {
    for (const v of value as unknown[]) {
      const b = jsonBytesBound(v, depth + 1);
      if (b === null) return null;
      total += b + 1;
    }
    return total;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return null;
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    const b = jsonBytesBound((value as Record<string, unknown>)[k], depth + 1);
    if (b === null) return null;
    total += 2 + 6 * k.length + 1 + b + 1;
  }
  return total;
}
