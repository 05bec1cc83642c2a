import pg from 'pg';
import type { PostgresSourceConfig } from '../../config/config-schema.js';
import type { ExpectedTable } from '../../src/preflight/expected-columns.js';
import { fail, pass, warn, type PreflightItem, type RepairOutcome } from '../../src/preflight/preflight-item.js';
import { failoverSlotItems } from './failover-slot-check.js';
import { idleSlotTimeoutItems } from './idle-slot-timeout-check.js';
import { quoteIdent, quoteQualified } from './postgres-source.js';
import { checkPostgresTables } from './postgres-table-checks.js';
import type { Secret } from '../../src/secret.js';
import { pgConnectionConfig } from '../../src/security/pg-connection-config.js';
import { withTlsHint } from '../../src/security/with-tls-hint.js';

/** Options of {@link checkPostgresSource}. */
export interface PostgresPreflightOptions {
  /** Connect timeout and per-statement timeout (default 5000 ms). */
  readonly timeoutMs?: number;
}

/** What the server and the role say about themselves. */
interface ServerFacts {
  version: string;
  versionNum: number;
  walLevel: string;
  maxSlots: number;
  usedSlots: number;
  maxSenders: number;
  usedSenders: number;
  role: string;
  replication: boolean;
  superuser: boolean;
  /** max_slot_wal_keep_size in MB; -1 unlimited; null before PostgreSQL 13. */
  keepMb: number | null;
}

interface SlotRow {
  plugin: string | null;
  slot_type: string;
  database: string | null;
  active: boolean;
  active_pid: number | null;
  wal_status: string | null;
  retained: string | null;
}

const MB = 1024 * 1024;

function mb(bytes: number): string {
  if (bytes >= 10 * 1024 * MB) return `${(bytes / 1024 / MB).toFixed(1)} GB`;
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} kB` : `${bytes} bytes`;
}

function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

async function connect(url: Secret, timeoutMs: number, applicationName: string): Promise<pg.Client> {
  const c = new pg.Client({
    ...pgConnectionConfig(url), connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs, query_timeout: timeoutMs + 1000,
    application_name: applicationName,
  });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

async function serverFacts(c: pg.Client): Promise<ServerFacts> {
  const r = await c.query<Record<string, string | number | boolean | null>>(
    `SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS num,
            current_setting('wal_level') AS wal_level,
            current_setting('max_replication_slots')::int AS max_slots, (SELECT count(*) FROM pg_replication_slots)::int AS used_slots,
            current_setting('max_wal_senders')::int AS max_senders, (SELECT count(*) FROM pg_stat_replication)::int AS used_senders,
            current_user AS role, r.rolreplication AS replication, r.rolsuper AS superuser,
            (SELECT setting::int FROM pg_settings WHERE name = 'max_slot_wal_keep_size') AS keep_mb
       FROM pg_roles r WHERE r.rolname = current_user`);
  const x = r.rows[0]!;
  return {
    version: String(x.version), versionNum: Number(x.num), walLevel: String(x.wal_level),
    maxSlots: Number(x.max_slots), usedSlots: Number(x.used_slots), maxSenders: Number(x.max_senders), usedSenders: Number(x.used_senders),
    role: String(x.role), replication: x.replication === true, superuser: x.superuser === true, keepMb: x.keep_mb === null ? null : Number(x.keep_mb),
  };
}

function serverItems(f: ServerFacts, slotExists: boolean, slotActive: boolean): PreflightItem[] {
  const restart = 'then restart PostgreSQL (a reload is not enough)';
  const items: PreflightItem[] = [];
  items.push(f.versionNum >= 100000
    ? pass('server version', `PostgreSQL ${f.version}`)
    : fail('server version', `PostgreSQL ${f.version}: logical replication with pgoutput needs 10 or later`, 'upgrade PostgreSQL to a supported release'));
  items.push(f.walLevel === 'logical'
    ? pass('wal_level', 'logical')
    : fail('wal_level', `${f.walLevel}: logical decoding needs logical`, `as a superuser: ALTER SYSTEM SET wal_level = logical; ${restart}`));
  const slotsNeeded = f.usedSlots + (slotExists ? 0 : 1);
  items.push(slotsNeeded <= f.maxSlots
    ? pass('max_replication_slots', `${f.maxSlots} (${f.usedSlots} in use${slotExists ? ', ours among them' : ', one more needed for ours'})`)
    : fail('max_replication_slots', `${f.maxSlots}, all in use: no room for slot of cidaas-sync`,
      `as a superuser: ALTER SYSTEM SET max_replication_slots = ${f.usedSlots + 2}; ${restart}; or drop an unused slot`));
  const sendersNeeded = f.usedSenders + (slotActive ? 0 : 1);
  items.push(sendersNeeded <= f.maxSenders
    ? pass('max_wal_senders', `${f.maxSenders} (${f.usedSenders} in use)`)
    : fail('max_wal_senders', `${f.maxSenders}, all in use: the stream of cidaas-sync could not connect`,
      `as a superuser: ALTER SYSTEM SET max_wal_senders = ${f.usedSenders + 2}; ${restart}`));
  items.push(f.superuser || f.replication
    ? pass(`role ${f.role}`, f.superuser ? 'superuser (a role with REPLICATION and SELECT only is enough)' : 'has REPLICATION')
    : fail(`role ${f.role}`, 'lacks REPLICATION: it cannot stream the log or create the slot',
      `as a superuser: ALTER ROLE ${quoteIdent(f.role)} REPLICATION; (Amazon RDS / Aurora: GRANT rds_replication TO ${quoteIdent(f.role)};)`));
  return items;
}

/** Opens a replication connection as the stream does: proves pg_hba.conf and the role allow it. */
async function replicationConnectionItem(url: Secret, timeoutMs: number): Promise<PreflightItem> {
  // `replication` is a node-postgres option its type definitions lack (pg-logical-replication sets it too).
  const config: pg.ClientConfig & { replication: string } = { ...pgConnectionConfig(url), replication: 'database', connectionTimeoutMillis: timeoutMs, application_name: 'cidaas-sync-check' };
  const c = new pg.Client(config);
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('IDENTIFY_SYSTEM');
    return pass('replication connection', 'accepted');
  } catch (err) {
    return fail('replication connection', `refused: ${(err as Error).message}`,
      'allow this role to connect for replication from this host in pg_hba.conf (the database column names the database), then SELECT pg_reload_conf();');
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function publicationItems(c: pg.Client, s: PostgresSourceConfig, tables: readonly string[]): Promise<PreflightItem[]> {
  const name = `publication ${s.publication}`;
  const quoted = tables.map(quoteQualified).join(', ');
  const create = `CREATE PUBLICATION ${quoteIdent(s.publication)} FOR TABLE ${quoted};`;
  const p = await c.query<{ alltables: boolean; ins: boolean; upd: boolean; del: boolean }>(
    'SELECT puballtables AS alltables, pubinsert AS ins, pubupdate AS upd, pubdelete AS del FROM pg_publication WHERE pubname = $1', [s.publication]);
  const pub = p.rows[0];
  if (!pub) return [fail(name, 'does not exist (source.publication)', `as the owner of the tables: ${create}`, [create])];
  const items: PreflightItem[] = [];
  if (!pub.ins || !pub.upd || !pub.del) {
    const sql = `ALTER PUBLICATION ${quoteIdent(s.publication)} SET (publish = 'insert, update, delete, truncate');`;
    items.push(fail(`${name} operations`, 'does not publish every insert, update and delete', sql, [sql]));
  }
  if (pub.alltables) {
    items.push(warn(name, 'FOR ALL TABLES: every table is decoded and sent, and cidaas-sync drops what it does not read',
      `DROP PUBLICATION ${quoteIdent(s.publication)}; ${create}`));
    return items;
  }
  const r = await c.query<{ t: string }>("SELECT schemaname || '.' || tablename AS t FROM pg_publication_tables WHERE pubname = $1", [s.publication]);
  const published = new Set(r.rows.map((x) => x.t));
  const missing = tables.filter((t) => !published.has(t));
  const extra = [...published].filter((t) => !tables.includes(t));
  // Only ever ADD TABLE: the publication may be shared, and SET TABLE would drop the others' tables.
  if (missing.length) {
    const sql = `ALTER PUBLICATION ${quoteIdent(s.publication)} ADD TABLE ${missing.map(quoteQualified).join(', ')};`;
    items.push(fail(name, `does not cover ${missing.join(', ')}: changes there would never reach cidaas`, `as the owner of the tables: ${sql}`, [sql]));
  } else if (extra.length) {
    const drop = `ALTER PUBLICATION ${quoteIdent(s.publication)} DROP TABLE ${extra.map((t) => quoteQualified(t)).join(', ')};`;
    items.push(warn(name, `also covers ${extra.join(', ')}, which cidaas-sync does not read (harmless; the publication may serve others too)`,
      `only if nothing else uses this publication: ${drop} (check --fix leaves it)`));
  } else {
    items.push(pass(name, `covers exactly ${tables.join(', ')}`));
  }
  return items;
}

async function slotItems(c: pg.Client, s: PostgresSourceConfig, f: ServerFacts, slot: SlotRow | undefined): Promise<PreflightItem[]> {
  const name = `replication slot ${s.slot}`;
  const drop = `SELECT pg_drop_replication_slot(${literal(s.slot)});`;
  if (!slot) {
    // Not created here: a slot nobody reads keeps WAL until the disk fills. `run` creates it and reads it.
    return [pass(name, 'does not exist yet: `run` creates it on first start; from then on PostgreSQL keeps WAL for it until it is read or dropped')];
  }
  const db = (await c.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d;
  if (slot.slot_type !== 'logical' || slot.plugin !== 'pgoutput' || slot.database !== db) {
    return [fail(name, `exists but is ${slot.slot_type === 'logical' ? `a ${slot.plugin} slot of database ${slot.database}` : 'a physical slot'}; cidaas-sync needs a pgoutput slot in ${db}`,
      `choose another source.slot, or drop it if nothing uses it: ${drop}`)];
  }
  const items: PreflightItem[] = [pass(name, 'exists (pgoutput)')];
  if (slot.active && slot.active_pid !== null) {
    const a = await c.query<{ app: string | null; addr: string | null }>(
      'SELECT application_name AS app, client_addr::text AS addr FROM pg_stat_activity WHERE pid = $1', [slot.active_pid]);
    const app = a.rows[0]?.app ?? 'unknown application';
    const who = `pid ${slot.active_pid}, ${app}${a.rows[0]?.addr ? ` from ${a.rows[0].addr}` : ''}`;
    items.push(app.startsWith('cidaas-sync')
      ? pass(`consumer of slot ${s.slot}`, `a running cidaas-sync streams from it (${who})`)
      : fail(`consumer of slot ${s.slot}`, `in use by ${who}: a slot has one consumer at a time`,
        `stop that consumer (SELECT pg_terminate_backend(${slot.active_pid});), or choose another source.slot`));
  } else {
    items.push(pass(`consumer of slot ${s.slot}`, 'none connected now'));
  }
  const retained = slot.retained === null ? null : Number(slot.retained);
  const walName = `WAL retained by slot ${s.slot}`;
  if (slot.wal_status === 'lost') {
    items.push(fail(walName, 'lost: PostgreSQL removed WAL the slot still needed (max_slot_wal_keep_size); changes were missed',
      `drop and recreate the slot (${drop}), then \`cidaas-sync backfill --restart\``));
  } else if (retained !== null) {
    const keep = f.keepMb;
    if (keep === null || keep < 0) {
      items.push(pass(walName, `${mb(retained)}; max_slot_wal_keep_size is unlimited, so a stopped sidecar lets WAL grow until the disk fills: watch cidaas_sync_source_retained_bytes`));
    } else if (slot.wal_status === 'unreserved' || retained > keep * MB * 0.8) {
      items.push(warn(walName, `${mb(retained)} of max_slot_wal_keep_size ${mb(keep * MB)}: close to the limit, beyond which PostgreSQL drops the slot's WAL`,
        'let the sidecar catch up, or raise max_slot_wal_keep_size: ALTER SYSTEM SET max_slot_wal_keep_size = <size>; SELECT pg_reload_conf();'));
    } else {
      items.push(pass(walName, `${mb(retained)} of max_slot_wal_keep_size ${mb(keep * MB)}`));
    }
  }
  return items;
}

/**
 * The PostgreSQL prerequisites of `cidaas-sync check`: the server (version, wal_level, slots,
 * WAL senders), the role (REPLICATION, a replication connection, SELECT on every table), the
 * publication (exactly the configured tables), replica identity of each table, the slot (its
 * kind, its consumer, the WAL it retains) and the configured tables and columns. Every statement
 * runs with a timeout. A connection that fails is the only item then.
 */
export async function checkPostgresSource(s: PostgresSourceConfig, tables: readonly ExpectedTable[], o: PostgresPreflightOptions = {}): Promise<PreflightItem[]> {
  const timeoutMs = o.timeoutMs ?? 5000;
  const url = s.url;
  let c: pg.Client;
  try {
    c = await connect(url, timeoutMs, 'cidaas-sync-check');
  } catch (err) {
    return [fail('connection', `cannot connect to ${s.redactedUrl}: ${(err as Error).message}${withTlsHint(err, 'source')}`,
      'check source.url (host, port, database, role, password) and that pg_hba.conf lets this host in')];
  }
  try {
    const facts = await serverFacts(c);
    const slotQuery = facts.versionNum >= 130000
      ? 'SELECT plugin, slot_type, database, active, active_pid, wal_status, (pg_current_wal_lsn() - restart_lsn)::text AS retained FROM pg_replication_slots WHERE slot_name = $1'
      : 'SELECT plugin, slot_type, database, active, active_pid, NULL AS wal_status, (pg_current_wal_lsn() - restart_lsn)::text AS retained FROM pg_replication_slots WHERE slot_name = $1';
    const slot = (await c.query<SlotRow>(slotQuery, [s.slot])).rows[0];
    const items = serverItems(facts, slot !== undefined, slot?.active === true);
    if (facts.superuser || facts.replication) items.push(await replicationConnectionItem(url, timeoutMs));
    items.push(...(await checkPostgresTables(c, tables, facts.role)));
    items.push(...(await publicationItems(c, s, [...new Set(tables.map((t) => t.qualified))])));
    items.push(...(await slotItems(c, s, facts, slot)));
    items.push(...(await failoverSlotItems(c, s, facts, slot !== undefined)));
    items.push(...(await idleSlotTimeoutItems(c, facts.versionNum)));
    return items;
  } catch (err) {
    return [fail('catalog queries', `failed: ${(err as Error).message}`, 'make sure the role may read pg_catalog and the server answers within the timeout; then run check again')];
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * `check --fix`: runs the repair statements of `items` with the configured role, one by one
 * (creating the publication, setting replica identity, creating the slot), and lists every other
 * failed item as left to a person (a restart, a grant by a superuser, a configuration change).
 */
export async function repairPostgresSource(s: PostgresSourceConfig, items: readonly PreflightItem[], o: PostgresPreflightOptions = {}): Promise<RepairOutcome[]> {
  const outcomes: RepairOutcome[] = [];
  const todo = items.filter((i) => i.repair?.length);
  for (const i of items) {
    if (!i.ok && !i.repair?.length) outcomes.push({ item: i.name, action: i.fix ?? 'see the check output', done: false, attempted: false });
  }
  if (!todo.length) return outcomes;
  let c: pg.Client;
  try {
    c = await connect(s.url, o.timeoutMs ?? 5000, 'cidaas-sync-check');
  } catch (err) {
    return [...outcomes, ...todo.map((i) => ({ item: i.name, action: (i.repair ?? []).join(' '), done: false, attempted: true, detail: (err as Error).message }))];
  }
  try {
    for (const i of todo) {
      for (const sql of i.repair ?? []) {
        try {
          await c.query(sql);
          outcomes.push({ item: i.name, action: sql, done: true, attempted: true });
        } catch (err) {
          outcomes.push({ item: i.name, action: sql, done: false, attempted: true, detail: (err as Error).message });
          break;
        }
      }
    }
  } finally {
    await c.end().catch(() => undefined);
  }
  return outcomes;
}
