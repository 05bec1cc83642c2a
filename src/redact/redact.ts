/**
 * The one place that decides what of a URL, an error or a log line may be shown. Three layers:
 * 1. {@link redactUrl}: the password of a URL (user-info, `password=`-like query parameters).
 * 2. {@link rememberSecret}: values the configuration took from `${ENV}` / `${file:...}`, the
 *    passwords in its URLs and the client secret; {@link redactText} replaces each wherever it
 *    appears, whatever code wrote the text.
 * 3. {@link redactText} also applies (1) to every URL it finds in free text.
 * Everything printed (log lines, CLI errors, status, dead-letter reasons) goes through
 * {@link redactText}.
 */

const MASK = '***';
/** Shorter values are not remembered: masking `5432` or `db` everywhere would garble every message. */
const MIN_SECRET_LENGTH = 6;
const SECRET_PARAMS = /([?&;](?:password|pass|pwd|passwd|sslpassword|secret|client_secret|token|access_token|sslkey)=)[^&#\s'"]*/gi;
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>`)]+/gi;

const remembered = new Set<string>();
let pattern: RegExp | null = null;

/** Masks `value` (and its URL-encoded form) in everything {@link redactText} sees from now on. */
export function rememberSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_SECRET_LENGTH) return;
  for (const form of new Set([value, encodeURIComponent(value)])) {
    if (!remembered.has(form)) {
      remembered.add(form);
      pattern = null;
    }
  }
}

/**
 * The URL with its password replaced by `***`: the user-info after the user name (also
 * `scheme:user:pass@host` without `//`), and any password-like query parameter. When in doubt it
 * hides more, never less.
 */
export function redactUrl(url: string): string {
  let out = url;
  // With `//` the user-info follows it; without, everything before the last `@` may be
  // `user:password` (`u:StatePW@db/x`), so it is treated as such.
  const slashes = /^[a-z][a-z0-9+.-]*:\/\//i.exec(out);
  const start = slashes ? slashes[0].length : 0;
  const at = out.lastIndexOf('@');
  if (at > start) {
    const userInfo = out.slice(start, at);
    const colon = userInfo.indexOf(':');
    if (colon >= 0) out = `${out.slice(0, start)}${userInfo.slice(0, colon)}:${MASK}${out.slice(at)}`;
  }
  return out.replace(SECRET_PARAMS, `$1${MASK}`);
}

/** `text` with every remembered secret masked and every URL in it redacted. */
export function redactText(text: string): string {
  let out = text;
  if (remembered.size > 0) {
    pattern ??= new RegExp([...remembered].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
    out = out.replace(pattern, MASK);
  }
  return out.replace(URL_IN_TEXT, (url) => redactUrl(url)).replace(SECRET_PARAMS, `$1${MASK}`);
}

/** Driver error fields that repeat the connection settings (mysql2 keeps the whole URI in `input`). */
const DRIVER_SECRET_FIELDS = ['input', 'config', 'connectionString', 'uri'];

/**
 * Removes from `err` and its causes the fields drivers fill with connection settings, so that
 * printing the error object (util.inspect, a crash dump) shows no URL; returns `err`.
 */
export function redactDriverError<T>(err: T): T {
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 6; depth++) {
    for (const field of DRIVER_SECRET_FIELDS) {
      const value = (e as Record<string, unknown>)[field];
      if (typeof value === 'string' || (typeof value === 'object' && value !== null && field !== 'config')) {
        try {
          Object.defineProperty(e, field, { value: typeof value === 'string' ? redactText(redactUrl(value)) : '[redacted]', enumerable: false, configurable: true, writable: true });
        } catch {
          // A frozen error: nothing to do.
        }
      }
    }
    e = (e as { cause?: unknown }).cause ?? (e as { driverError?: unknown }).driverError;
  }
  return err;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
