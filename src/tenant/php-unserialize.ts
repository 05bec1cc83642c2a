import { SyncError } from '../errors.js';

/** A PHP value of the subset WordPress options hold: null, bool, int, float, string, array. */
export type PhpValue = null | boolean | number | string | PhpArray;
/** A PHP array: ordered keys (ints as decimal strings), as `serialize()` wrote them. */
export type PhpArray = Map<string, PhpValue>;

const MAX_DEPTH = 32;

function fail(why: string, at: number): never {
  throw new SyncError('SETUP_PRECONDITION', `not a PHP serialize() value: ${why} at byte ${at}`, {
    hint: 'the option is not in the format the plugin writes; check the plugin and its version, or declare the provider under tenant.socialProviders',
  });
}

/**
 * Strict reader of PHP's `serialize()` format for the subset options use (`N;`, `b:`, `i:`,
 * `d:`, `s:<bytes>:"…";`, `a:<n>:{…}`). String lengths are UTF-8 byte counts, as PHP writes
 * them. Objects (`O:`, `C:`), references (`r:`, `R:`) and trailing bytes are refused: an
 * option holding them is not one this tool understands, and guessing would be worse.
 */
export function phpUnserialize(text: string): PhpValue {
  const buf = Buffer.from(text, 'utf8');
  let pos = 0;
  const expect = (ch: string): void => {
    if (buf[pos] !== ch.charCodeAt(0)) fail(`expected \`${ch}\``, pos);
    pos++;
  };
  const until = (ch: string): string => {
    const end = buf.indexOf(ch, pos);
    if (end < 0) fail(`missing \`${ch}\``, pos);
    const s = buf.subarray(pos, end).toString('latin1');
    pos = end + 1;
    return s;
  };
  const int = (s: string, at: number): number => {
    if (!/^[+-]?\d{1,15}$/.test(s)) fail(`bad integer \`${s}\``, at);
    return Number(s);
  };
  const value = (depth: number): PhpValue => {
    if (depth > MAX_DEPTH) fail('nested too deep', pos);
    const type = String.fromCharCode(buf[pos] ?? 0);
    const start = pos;
    pos++;
    if (type === 'N') { expect(';'); return null; }
    expect(':');
    switch (type) {
      case 'b': {
        const s = until(';');
        if (s !== '0' && s !== '1') fail(`bad boolean \`${s}\``, start);
        return s === '1';
      }
      case 'i': return int(until(';'), start);
      case 'd': {
        const s = until(';');
        const n = s === 'INF' ? Infinity : s === '-INF' ? -Infinity : s === 'NAN' ? NaN : Number(s);
        if (s === '' || (Number.isNaN(n) && s !== 'NAN')) fail(`bad float \`${s}\``, start);
        return n;
      }
      case 's': {
        const len = int(until(':'), start);
        if (len < 0) fail('negative string length', start);
        expect('"');
        if (pos + len > buf.length) fail(`string of ${len} bytes runs past the end`, start);
        const s = buf.subarray(pos, pos + len).toString('utf8');
        pos += len;
        expect('"');
        expect(';');
        return s;
      }
      case 'a': {
        const count = int(until(':'), start);
        expect('{');
        const out: PhpArray = new Map();
        for (let i = 0; i < count; i++) {
          const keyAt = pos;
          const k = value(depth + 1);
          if (typeof k !== 'string' && !(typeof k === 'number' && Number.isInteger(k))) fail('array key is neither int nor string', keyAt);
          out.set(String(k), value(depth + 1));
        }
        expect('}');
        return out;
      }
      default: return fail(`type \`${type}\` is not supported (objects and references are refused)`, start);
    }
  };
  const v = value(0);
  if (pos !== buf.length) fail('trailing bytes', pos);
  return v;
}

/** Whether a string looks like a serialized value (WordPress's is_serialized(), strict form). */
export function isPhpSerialized(text: string): boolean {
  const t = text.trim();
  if (t === 'N;') return true;
  return /^(?:[bid]:[^;]*;|s:\d+:".*";|a:\d+:\{.*\})$/s.test(t);
}

/**
 * An option value as the plugin reads it: WordPress's update_option() serializes a value that
 * is already a serialized string once more, so an option a plugin stored with
 * `update_option($key, maybe_serialize($array))` is a serialized string holding a serialized
 * array. Unwraps up to three levels.
 */
export function optionValue(raw: string): PhpValue {
  let v: PhpValue = raw;
  for (let i = 0; i < 3 && typeof v === 'string' && isPhpSerialized(v); i++) v = phpUnserialize(v);
  return v;
}
