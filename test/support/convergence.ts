import type { RunningEmulator, StoredUser } from '../../tools/emulator/cidaas-emulator.js';
import type { ShopDb, ShopQueries, ShopRow } from './shop-schema.js';
import { waitFor } from './wait-for.js';

/**
 * The oracle of docs/architecture.md "What correct means here" for the shop schema: it reads the
 * legacy tables (in one snapshot) and the emulator's store and lists every way they
 * differ. It is written independently of the sidecar's mapper, from the same rules:
 *
 * - Strings (email, names, phone, login) are trimmed; empty or NULL means "no value".
 *   With no value, cidaas must hold none either, except given_name/family_name, which
 *   the mapper clears by sending "" (so "" or absent both match).
 * - email_verified is the truthiness of email_confirmed (true/1/'t'/...).
 * - customFields.customer_no is customer_number as the driver returns it (custom field
 *   values are not trimmed, as in the mapper); NULL means no value.
 * - password: the credentials row's password_hash, byte for byte, and for a bcrypt hash
 *   algorithmTypeId BCRYPT_<its cost>; no row (or a blank hash) means no password.
 * - mfa: a confirmed device with a secret means mfa_enabled true and mfa.totp.secret
 *   equal to that secret normalised (upper case, no spaces, dashes or `=`); with
 *   several confirmed devices any one of them matches. None means no mfa.totp and
 *   mfa_enabled not true.
 * - With {@link ConvergenceOptions.clearedMayLinger}, "no value" in legacy accepts any
 *   value in cidaas (and a leftover TOTP secret when mfa_enabled is false): cidaas keeps
 *   fields a push leaves out, and the mapper leaves out what is NULL.
 * - userStatus of a live user is VERIFIED.
 * Every key in the result is a cidaas sub (prefix + legacy id).
 */

/** Options of {@link checkConvergence}. */
export interface ConvergenceOptions {
  /** The sub prefix of the config; default `legacy-`. */
  prefix?: string;
  /** Subs the caller expects in the dead-letter list: neither lost nor stale when they differ. */
  expectDeadLetters?: string[];
  /**
   * Accept a value cidaas still holds where legacy has none (a cleared phone, login,
   * customer number, password or TOTP device). Default false: that is reported as stale.
   */
  clearedMayLinger?: boolean;
}

/** A live user whose cidaas copy differs: the sub and the names (never values) of the differing fields. */
export interface StaleUser {
  readonly key: string;
  readonly fields: string[];
}

/** How the legacy database and the emulator differ; all empty means converged. */
export interface ConvergenceResult {
  /** Number of live legacy users (row present, deleted_at NULL). */
  readonly live: number;
  /** Subs of live legacy users missing in the emulator, sorted. */
  readonly lost: string[];
  /** Live users present in the emulator with other values, sorted by sub. */
  readonly stale: StaleUser[];
  /** Emulator subs with no live legacy user (deleted, never existed), sorted. */
  readonly extra: string[];
}

const BCRYPT = /^\$2[aby]\$(\d\d)\$/;

function text(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const s = (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : String(value)).trim();
  return s === '' ? undefined : s;
}

function truthy(value: unknown): boolean | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0;
  return /^(1|t|true|y|yes|on)$/i.test(String(value).trim());
}

function custom(value: unknown): string | number | boolean | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

function totpSecret(value: unknown): string | undefined {
  const s = text(value)?.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  return s === '' ? undefined : s;
}

/** The legacy side in one snapshot. */
interface LegacySnapshot {
  readonly users: ShopRow[];
  readonly hashes: Map<string, string>;
  readonly secrets: Map<string, Set<string>>;
}

async function readLegacy(db: ShopDb): Promise<LegacySnapshot> {
  return db.transaction(async (tx: ShopQueries) => {
    if (tx.kind === 'postgres') await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const users = await tx.query('SELECT * FROM users');
    const hashes = new Map<string, string>();
    for (const r of await tx.query('SELECT user_id, password_hash FROM credentials')) {
      const hash = r['password_hash'];
      if (typeof hash === 'string' && hash.trim() !== '') hashes.set(String(r['user_id']), hash);
    }
    const secrets = new Map<string, Set<string>>();
    for (const r of await tx.query('SELECT user_id, secret_base32, confirmed FROM totp_devices')) {
      const secret = totpSecret(r['secret_base32']);
      if (!truthy(r['confirmed']) || secret === undefined) continue;
      const key = String(r['user_id']);
      secrets.set(key, (secrets.get(key) ?? new Set()).add(secret));
    }
    return { users, hashes, secrets };
  });
}

/** The names of the fields where the stored user differs from the legacy row. */
function staleFields(row: ShopRow, hash: string | undefined, secrets: Set<string> | undefined, stored: StoredUser, linger: boolean): string[] {
  const fields: string[] = [];
  const same = (field: string, expected: unknown, actual: unknown, clearable = false): void => {
    const ok = expected === undefined ? linger || actual === undefined || (clearable && actual === '') : expected === actual;
    if (!ok) fields.push(field);
  };
  same('email', text(row['email']), stored.email);
  same('email_verified', truthy(row['email_confirmed']), stored.email_verified);
  same('given_name', text(row['first_name']), stored.given_name, true);
  same('family_name', text(row['last_name']), stored.family_name, true);
  same('mobile_number', text(row['phone']), stored.mobile_number);
  same('username', text(row['login']), stored.username);
  same('customFields.customer_no', custom(row['customer_number']), stored.customFields?.['customer_no']);
  same('userStatus', 'VERIFIED', stored.userStatus);

  const info = stored.password_hash_info;
  if (hash === undefined) {
    if (info !== undefined && !linger) fields.push('password');
  } else {
    const cost = BCRYPT.exec(hash)?.[1];
    const algorithmOk = cost === undefined || info?.algorithmTypeId === `BCRYPT_${Number(cost)}`;
    if (info?.passwordHash !== hash || !algorithmOk) fields.push('password');
  }

  const totp = stored.mfa?.totp?.secret;
  const mfaOk = secrets === undefined || secrets.size === 0
    ? (linger || totp === undefined) && stored.mfa_enabled !== true
    : totp !== undefined && secrets.has(totp) && stored.mfa_enabled === true;
  if (!mfaOk) fields.push('mfa');
  return fields;
}

/** Compares every legacy user with the emulator's store; see the module comment for the rules. */
export async function checkConvergence(db: ShopDb, emulator: RunningEmulator, opts: ConvergenceOptions = {}): Promise<ConvergenceResult> {
  const prefix = opts.prefix ?? 'legacy-';
  const deadLetters = new Set(opts.expectDeadLetters ?? []);
  const legacy = await readLegacy(db);
  const stored = new Map(emulator.users().map((u) => [u.sub, u]));
  const liveSubs = new Set<string>();
  const lost: string[] = [];
  const stale: StaleUser[] = [];
  for (const row of legacy.users) {
    if (row['deleted_at'] !== null && row['deleted_at'] !== undefined) continue;
    const id = String(row['id']);
    const sub = prefix + id;
    liveSubs.add(sub);
    if (deadLetters.has(sub)) continue;
    const user = stored.get(sub);
    if (user === undefined) {
      lost.push(sub);
      continue;
    }
    const fields = staleFields(row, legacy.hashes.get(id), legacy.secrets.get(id), user, opts.clearedMayLinger ?? false);
    if (fields.length > 0) stale.push({ key: sub, fields });
  }
  const extra = [...stored.keys()].filter((sub) => !liveSubs.has(sub));
  const bySub = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return { live: liveSubs.size, lost: lost.sort(bySub), stale: stale.sort((a, b) => bySub(a.key, b.key)), extra: extra.sort(bySub) };
}

/** True when nothing is lost, stale or extra. */
export function isConverged(result: ConvergenceResult): boolean {
  return result.lost.length === 0 && result.stale.length === 0 && result.extra.length === 0;
}

/** A one-line account of a result for assertion messages: counts and the first subs of each kind (field names, never values). */
export function describeConvergence(result: ConvergenceResult): string {
  const few = (list: readonly string[]): string => `${list.slice(0, 10).join(', ')}${list.length > 10 ? `, ... (${list.length - 10} more)` : ''}`;
  if (isConverged(result)) return `converged: ${result.live} live users, none lost, stale or extra`;
  const parts = [`not converged: ${result.live} live users`];
  if (result.lost.length > 0) parts.push(`${result.lost.length} lost (${few(result.lost)})`);
  if (result.stale.length > 0) parts.push(`${result.stale.length} stale (${few(result.stale.map((s) => `${s.key}: ${s.fields.join('+')}`))})`);
  if (result.extra.length > 0) parts.push(`${result.extra.length} extra (${few(result.extra)})`);
  return parts.join('; ');
}

/** Options of {@link waitForConvergence}. */
export interface WaitForConvergenceOptions extends ConvergenceOptions {
  /** Give up after this many milliseconds; default 30 000. */
  timeoutMs?: number;
  /** The sidecar doing the work (a SidecarProcess): when it exits first, fail at once with its stderr. */
  sidecar?: { readonly exit: unknown; readonly stderr: string };
}

/**
 * Polls {@link checkConvergence} until converged; rejects after `timeoutMs` with the last
 * {@link describeConvergence}, or as soon as `sidecar` has exited. Resolves with the converged result.
 */
export async function waitForConvergence(db: ShopDb, emulator: RunningEmulator, opts: WaitForConvergenceOptions = {}): Promise<ConvergenceResult> {
  let last: ConvergenceResult | undefined;
  await waitFor(
    async () => {
      last = await checkConvergence(db, emulator, opts);
      if (isConverged(last)) return true;
      if (opts.sidecar?.exit !== undefined) {
        const stderr = opts.sidecar.stderr.trim().slice(-2000) || '(no stderr)';
        throw new Error(`the sidecar exited (${JSON.stringify(opts.sidecar.exit)}) before convergence: ${describeConvergence(last)}; stderr: ${stderr}`);
      }
      return false;
    },
    { timeoutMs: opts.timeoutMs ?? 30_000, intervalMs: 200, message: () => (last ? describeConvergence(last) : 'the first convergence check') },
  );
  return last!;
}
