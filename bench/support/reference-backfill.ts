import mysql from 'mysql2/promise';
import pg from 'pg';
import { Pool } from 'undici';
import { BENCH_CLIENT } from './bench-sidecar.js';
import type { BenchKind } from './bench-source.js';

/** What the bare reference did. */
export interface ReferenceResult {
  readonly users: number;
  readonly calls: number;
  readonly ms: number;
  /** CPU this process used meanwhile (user + system), ms: the reference runs here, and nothing else does. */
  readonly cpuMs?: number;
}

/** The columns the reference reads on PostgreSQL: the same tables and columns the shop configuration maps. */
const PG_PAGE_SQL = `
  SELECT u.id, u.email, u.email_confirmed, u.first_name, u.last_name, u.phone, u.login, u.customer_number,
         (SELECT c.password_hash FROM credentials c WHERE c.user_id = u.id) AS password_hash,
         (SELECT d.secret_base32 FROM totp_devices d WHERE d.user_id = u.id AND d.confirmed ORDER BY d.id LIMIT 1) AS secret_base32
    FROM users u
   WHERE u.id > $1 AND u.deleted_at IS NULL
   ORDER BY u.id
   LIMIT $2`;
// Correlated subqueries, not joins: each page must cost the same wherever it starts (a merge join
// would scan credentials from its first row on every page).

/** The same on MariaDB (its nested-loop join looks each page's credentials up by key). */
const MYSQL_PAGE_SQL = `
  SELECT u.id, u.email, u.email_confirmed, u.first_name, u.last_name, u.phone, u.login, u.customer_number,
         c.password_hash,
         (SELECT d.secret_base32 FROM totp_devices d WHERE d.user_id = u.id AND d.confirmed ORDER BY d.id LIMIT 1) AS secret_base32
    FROM users u
    LEFT JOIN credentials c ON c.user_id = u.id
   WHERE u.id > ? AND u.deleted_at IS NULL
   ORDER BY u.id
   LIMIT ?`;

type Row = Record<string, unknown>;

/** Reads the users after a key, one page at a time, from one database. */
interface PageReader {
  read(afterKey: number, limit: number): Promise<Row[]>;
  close(): Promise<void>;
}

function pageReader(kind: BenchKind, url: string): PageReader {
  if (kind === 'postgres') {
    const db = new pg.Pool({ connectionString: url, max: 2 });
    return { read: async (after, limit) => (await db.query(PG_PAGE_SQL, [after, limit])).rows as Row[], close: () => db.end() };
  }
  const db = mysql.createPool({ uri: url, connectionLimit: 2, supportBigNumbers: true, bigNumberStrings: true });
  return { read: async (after, limit) => (await db.query<mysql.RowDataPacket[]>(MYSQL_PAGE_SQL, [after, limit]))[0] as Row[], close: () => db.end() };
}

function text(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

/** The cidaas user of a row, as the shop mapping would make it, without any of the sidecar's code. */
function entity(r: Row): Record<string, unknown> {
  const u: Record<string, unknown> = {
    sub: `legacy-${String(r['id'])}`,
    // PostgreSQL gives a boolean, MariaDB a TINYINT(1).
    email_verified: Number(r['email_confirmed']) === 1,
    given_name: text(r['first_name']) ?? '',
    family_name: text(r['last_name']) ?? '',
  };
  const set = (field: string, v: unknown): void => {
    const t = text(v);
    if (t !== undefined) u[field] = t;
  };
  set('email', r['email']);
  set('mobile_number', r['phone']);
  set('username', r['login']);
  if (r['customer_number'] !== null) u['customFields'] = { customer_no: r['customer_number'] };
  const hash = text(r['password_hash']);
  if (hash) {
    u['password_hash_info'] = { algorithmTypeId: `BCRYPT_${Number(hash.slice(4, 6))}`, passwordHash: hash };
    u['provider'] = 'self';
  }
  const secret = text(r['secret_base32']);
  if (secret) u['mfa'] = { totp: { secret: secret.toUpperCase(), algorithm: 'SHA1', digits: 6, period: 30 } };
  u['mfa_enabled'] = secret !== undefined;
  return u;
}

/**
 * The bare reference of pg.backfill and mysql.backfill: SELECT the users by key pages of `batchSize` and POST each
 * page as one bulk call, `concurrency` calls in flight, one token fetched up front; no state, no
 * fingerprints, no checkpoint. The pages are read one after the other (each starts after the
 * last key of the one before), overlapping the calls in flight, as the sidecar's backfill does.
 */
export async function referenceBackfill(kind: BenchKind, o: { url: string; emulatorUrl: string; concurrency: number; batchSize: number }): Promise<ReferenceResult> {
  const db = pageReader(kind, o.url);
  const http = new Pool(o.emulatorUrl, { connections: o.concurrency, keepAliveTimeout: 60_000 });
  try {
    const tokenRes = await http.request({
      path: '/token-srv/token',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: BENCH_CLIENT.clientId, client_secret: BENCH_CLIENT.clientSecret }).toString(),
    });
    const token = ((await tokenRes.body.json()) as { access_token: string }).access_token;

    let lastKey = 0;
    let exhausted = false;
    let reading: Promise<unknown> = Promise.resolve();
    const nextPage = (): Promise<Row[]> => {
      const page = reading.then(async () => {
        if (exhausted) return [];
        const rows = await db.read(lastKey, o.batchSize);
        if (rows.length === 0) exhausted = true;
        else lastKey = Number(rows[rows.length - 1]!['id']);
        return rows;
      });
      reading = page.catch(() => undefined);
      return page;
    };

    let users = 0;
    let calls = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const rows = await nextPage();
        if (rows.length === 0) return;
        const res = await http.request({
          path: '/users-srv/user/bulk',
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(rows.map(entity)),
        });
        const answer = (await res.body.json()) as { data?: { process_states?: { status: string; message?: string }[] } };
        const states = answer.data?.process_states ?? [];
        const bad = states.filter((s) => s.status !== 'CREATED' && s.status !== 'UPDATED');
        if (res.statusCode !== 200 || states.length !== rows.length || bad.length > 0) {
          throw new Error(`reference bulk call answered ${res.statusCode}, ${bad.length} users not stored (${bad[0]?.message ?? ''})`);
        }
        users += rows.length;
        calls += 1;
      }
    };
    const started = performance.now();
    const cpu = process.cpuUsage();
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    const used = process.cpuUsage(cpu);
    return { users, calls, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
  } finally {
    await http.close();
    await db.close();
  }
}
