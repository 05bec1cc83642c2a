import { z } from 'zod';
import { Secret } from '../src/secret.js';

/** The field schemas the configuration schema is built from. */

/** A column or table name without quotes: letters, digits, `_`, `$`; not starting with a digit. */
const IDENTIFIER = String.raw`[\p{L}_][\p{L}\p{N}_$]*`;
const IDENTIFIER_RE = new RegExp(`^${IDENTIFIER}$`, 'u');
const TABLE_RE = new RegExp(`^${IDENTIFIER}(\\.${IDENTIFIER})?$`, 'u');

/** `BCRYPT_<4..20>`, the PBKDF2/SHA/argon2 ids, or `CUSTOM_<NAME>` (docs/cidaas-api.md). */
export const ALGORITHM_TYPE_ID_RE = /^(BCRYPT_([4-9]|1[0-9]|20)|PBKDF2_SHA256|PBKDF2_SHA1|PBKDF2_SHA512|ARGON2|SHA256|SHA1|CUSTOM_[A-Z0-9_]+)$/;

/** A column name as the legacy database spells it. */
export const column = z
  .string()
  .max(64, { error: 'must be at most 64 characters (the longest name Postgres and MySQL allow)' })
  .regex(IDENTIFIER_RE, { error: 'must be a plain column name (letters, digits, `_`; no quotes, dots or spaces)' });

/** `table` or `schema.table` (Postgres) / `database.table` (MySQL), split later by the source kind. */
export const tableName = z
  .string()
  .regex(TABLE_RE, { error: 'must be `table` or `schema.table` (letters, digits, `_`; no quotes or spaces)' });

/**
 * An integer in [min, max]. A string of digits counts too: a value substituted from
 * `${ENV}` is always a string.
 */
export function int(min: number, max: number) {
  return z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z.int().min(min).max(max),
  );
}

/** A non-empty string that becomes a {@link Secret} as soon as it is validated. */
export const secretString = z
  .string()
  .min(1, { error: 'must not be empty' })
  .transform((value) => new Secret(value));

/**
 * A database URL for the given schemes, kept as a {@link Secret} (it may hold a
 * password). Error messages show it only through {@link redactUrl}.
 */
export function databaseUrl(schemes: readonly string[], example: string) {
  return z
    .string()
    .min(1, { error: 'must not be empty' })
    .superRefine((value, ctx) => {
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
      if (scheme === undefined || !schemes.includes(scheme)) {
        const shown = scheme === undefined ? 'is not a URL' : `has scheme \`${scheme}:\` (${redactUrl(value)})`;
        ctx.addIssue({
          code: 'custom',
          message: `${shown}; write e.g. \`${example}\` (schemes: ${schemes.map((s) => `${s}:`).join(', ')})`,
          params: { complete: true },
        });
      }
    })
    .transform((value) => new Secret(value));
}

/** The URL with its password masked: the one implementation is src/redact/redact.ts. */
export { redactUrl } from '../src/redact/redact.js';
import { redactUrl } from '../src/redact/redact.js';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The cidaas base URL: https, or http for a local host (the emulator). No user-info,
 * query or fragment. The result has no trailing slash.
 */
export const cidaasBaseUrl = z.string().transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a URL' });
    return z.NEVER;
  }
  const shown = redactUrl(value);
  if (url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname)) {
    ctx.addIssue({
      code: 'custom',
      message: `uses http to ${url.hostname} (${shown}); client secrets and user data must travel over TLS, so http is only allowed for localhost and 127.0.0.1; write https://${url.host}${url.pathname === '/' ? '' : url.pathname}`,
      params: { complete: true },
    });
  } else if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    ctx.addIssue({ code: 'custom', message: `must be an https URL, not ${url.protocol} (${shown})` });
  } else if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    ctx.addIssue({ code: 'custom', message: `must be the plain tenant URL without user, password, query or fragment (${shown})` });
  } else {
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  }
  return z.NEVER;
});
