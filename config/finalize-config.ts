import type { RefinementCtx } from 'zod';
import { DatabaseUrl } from '../src/security/database-url.js';
import { resolveDatabaseTls } from '../src/security/resolve-database-tls.js';
import { rememberSecret } from '../src/redact/redact.js';
import { CIDAAS_IDENTIFIER_FIELDS } from './cidaas-user-fields.js';
import { redactUrl } from './config-fields.js';
import type { RawConfig } from './config-schema.js';

/** A table name split into schema (Postgres) or database (MySQL) and the table's own name. */
export interface SplitTableName {
  /** Postgres schema (default `public`) or MySQL database (default: the one in `source.url`). */
  readonly schema: string;
  readonly name: string;
}

type Path = (string | number)[];

/**
 * The rules that span keys, applied once the shape is valid, and the normalisation
 * that needs more than one key (table names depend on the source kind and URL).
 * Every issue names the key to change and what to write there.
 */
export function finalizeConfig(raw: RawConfig, ctx: RefinementCtx<RawConfig>) {
  const fail = (path: Path, message: string): void => {
    ctx.addIssue({ code: 'custom', path, message, params: { complete: true } });
  };
  const sourceUrl = raw.source.url.reveal();
  const database = raw.source.kind === 'mysql' ? mysqlDatabase(sourceUrl) : undefined;
  const table = (name: string, path: Path): SplitTableName => splitTable(name, path, raw.source.kind, database, fail);

  for (const section of ['password', 'mfa'] as const) {
    const related = raw[section];
    if (related?.table !== undefined && related.userKey === undefined) {
      fail([section, 'userKey'], `missing: ${section}.table is set, so cidaas-sync needs the column of that table that holds the user's key; write e.g. \`userKey: user_id\``);
    }
    if (related !== undefined && related.table === undefined && related.filter !== undefined) {
      fail([section, 'filter'], `is only used with ${section}.table (it picks rows of that table); to pick users, write the filter under users:`);
    }
    if (related !== undefined && related.table === undefined && related.userKey !== undefined) {
      fail([section, 'userKey'], `is only used with ${section}.table (without it, ${section} columns are read from users.table); remove it, or set \`table:\``);
    }
  }

  if (raw.password?.fallback !== undefined && raw.password.algorithm !== 'auto') {
    fail(['password', 'fallback'], 'is what `algorithm: auto` uses for a hash it does not recognise; with a fixed algorithm every hash is read as that one, so remove fallback, or set `algorithm: auto`');
  }

  const mfaSwitch = raw.mfa?.enabledWhen;
  if (mfaSwitch && 'attribute' in mfaSwitch && raw.attributes === undefined) {
    fail(['mfa', 'enabledWhen', 'attribute'], 'names an attribute, but there is no `attributes:` section to read it from; add one, or use `enabledWhen: { column: <users column> }`');
  }
  if (mfaSwitch && 'attribute' in mfaSwitch && raw.attributes?.ignoreNames.includes(mfaSwitch.attribute)) {
    fail(['mfa', 'enabledWhen', 'attribute'], `names \`${mfaSwitch.attribute}\`, which attributes.ignoreNames lists; a change to it must reach cidaas, so remove it from ignoreNames`);
  }
  if (raw.users.keyUniqueByFilter && raw.users.filter === undefined) {
    fail(['users', 'keyUniqueByFilter'], 'needs users.filter: only a filter can pick one row per key; add the filter, or remove keyUniqueByFilter');
  }
  checkUserGroups(raw, fail);
  checkIgnoreColumns(raw, fail);
  checkIdentifier(raw, fail);
  checkOverlap(raw, fail);
  if (raw.engine.readRetryMs > raw.engine.readRetryMaxMs) {
    fail(['engine', 'readRetryMs'], `is above engine.readRetryMaxMs (${raw.engine.readRetryMaxMs}); lower it, or raise readRetryMaxMs`);
  }

  if (raw.http.allowActions && (raw.http.actionToken === undefined || raw.http.actionToken.reveal().length < 16)) {
    fail(['http', 'actionToken'], 'http.allowActions is true, so the status page needs a token of at least 16 characters that every action must carry; write e.g. `actionToken: ${file:/run/secrets/cidaas_sync_action_token}`, or set allowActions: false');
  }
  rememberUrlPassword(sourceUrl);
  rememberUrlPassword(raw.state.url.reveal());
  rememberSecret(raw.cidaas.clientSecret.reveal());
  rememberSecret(raw.http.actionToken?.reveal());
  const sourceTls = resolveDatabaseTls('source', sourceUrl, raw.source.tls);
  for (const p of sourceTls.problems) fail(['source', ...p.key], p.message);
  const stateUrl = raw.state.url.reveal();
  const stateTls = resolveDatabaseTls('state', stateUrl, raw.state.tls);
  for (const p of stateTls.problems) fail(['state', ...p.key], p.message);
  if (stateUrl.startsWith('sqlite:') && raw.state.tls !== undefined) {
    fail(['state', 'tls'], 'is for a state store on PostgreSQL or MySQL; a SQLite file has no connection to protect, so remove it');
  }

  const heartbeat = raw.source.heartbeat;
  const source = {
    ...raw.source,
    url: new DatabaseUrl(sourceUrl, sourceTls.tls),
    redactedUrl: redactUrl(sourceUrl),
    heartbeat:
      heartbeat === undefined
        ? undefined
        : { ...heartbeat, table: heartbeat.table === undefined ? undefined : table(heartbeat.table, ['source', 'heartbeat', 'table']) },
  };
  return {
    ...raw,
    source,
    users: {
      ...raw.users,
      table: table(raw.users.table, ['users', 'table']),
      groups: raw.users.groups && {
        ...raw.users.groups,
        table: table(raw.users.groups.table, ['users', 'groups', 'table']),
        lookup: raw.users.groups.lookup && { ...raw.users.groups.lookup, table: table(raw.users.groups.lookup.table, ['users', 'groups', 'lookup', 'table']) },
      },
      identities: raw.users.identities && { ...raw.users.identities, table: table(raw.users.identities.table, ['users', 'identities', 'table']) },
    },
    password: raw.password && {
      ...raw.password,
      table: raw.password.table === undefined ? undefined : table(raw.password.table, ['password', 'table']),
    },
    mfa: raw.mfa && { ...raw.mfa, table: raw.mfa.table === undefined ? undefined : table(raw.mfa.table, ['mfa', 'table']) },
    attributes: raw.attributes && { ...raw.attributes, table: table(raw.attributes.table, ['attributes', 'table']) },
    state: { url: new DatabaseUrl(stateUrl, stateTls.tls), kind: stateKind(stateUrl), redactedUrl: redactUrl(stateUrl) },
  };
}

/** `users.groups` with a setting it cannot work under: roles cannot travel in a list of groupIds. */
function checkUserGroups(raw: RawConfig, fail: (path: Path, message: string) => void): void {
  const g = raw.users.groups;
  if (!g) return;
  if (raw.cidaas.compat.groupShape === 'ids' && Object.values(g.roles).some((r) => r.length > 0)) {
    fail(['users', 'groups', 'roles'], 'cannot be sent with cidaas.compat.groupShape `ids` (a list of groupIds has no place for roles); use groupShape `objects`, or remove the roles');
  }
}

function splitTable(
  name: string,
  path: Path,
  kind: 'postgres' | 'mysql',
  database: string | undefined,
  fail: (path: Path, message: string) => void,
): SplitTableName {
  const dot = name.indexOf('.');
  if (dot >= 0) return { schema: name.slice(0, dot), name: name.slice(dot + 1) };
  if (kind === 'postgres') return { schema: 'public', name };
  if (database === undefined) {
    fail(path, `names no database and source.url names none either; write \`${path.at(-1)}: <database>.${name}\`, or end source.url with \`/<database>\``);
    return { schema: '', name };
  }
  return { schema: database, name };
}

/** The database in a mysql:// URL's path, if any. */
function mysqlDatabase(url: string): string | undefined {
  try {
    const db = decodeURIComponent(new URL(url).pathname.replace(/^\/+/, '').split('/')[0] ?? '');
    return db === '' ? undefined : db;
  } catch {
    // An unparsable URL: the connect fails later with the driver's own message.
    return undefined;
  }
}

function stateKind(url: string): 'sqlite' | 'postgres' | 'mysql' {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (/^postgres(ql)?:/.test(url)) return 'postgres';
  return 'mysql';
}

function checkIgnoreColumns(raw: RawConfig, fail: (path: Path, message: string) => void): void {
  const users = raw.users;
  const used = new Map<string, string>();
  used.set(users.key, 'users.key');
  if (users.softDelete) used.set(users.softDelete.column, 'users.softDelete.column');
  for (const [field, col] of Object.entries(users.fields)) used.set(col, `users.fields.${field}`);
  for (const [field, col] of Object.entries(users.customFields)) used.set(col, `users.customFields.${field}`);
  if (raw.password && raw.password.table === undefined) {
    for (const key of ['hash', 'salt', 'iterations'] as const) {
      const col = raw.password[key];
      if (col !== undefined) used.set(col, `password.${key}`);
    }
  }
  if (raw.password?.fallback !== undefined && raw.password.algorithm !== 'auto') {
    fail(['password', 'fallback'], 'is what `algorithm: auto` uses for a hash it does not recognise; with a fixed algorithm every hash is read as that one, so remove fallback, or set `algorithm: auto`');
  }

  const mfaSwitch = raw.mfa?.enabledWhen;
  if (mfaSwitch && 'column' in mfaSwitch) used.set(mfaSwitch.column, 'mfa.enabledWhen.column');
  if (raw.mfa && raw.mfa.table === undefined) {
    used.set(raw.mfa.secret, 'mfa.secret');
    if (raw.mfa.enabled !== undefined) used.set(raw.mfa.enabled, 'mfa.enabled');
  }
  users.ignoreColumns.forEach((col, i) => {
    const by = used.get(col);
    if (by !== undefined) {
      fail(['users', 'ignoreColumns', i], `lists \`${col}\`, which ${by} reads; a change to it must reach cidaas, so remove it from ignoreColumns`);
    }
  });
}

function checkIdentifier(raw: RawConfig, fail: (path: Path, message: string) => void): void {
  if (raw.mapping !== undefined) return;
  const mapped = new Set([...Object.keys(raw.users.fields), ...Object.keys(raw.attributes?.fields ?? {})]);
  if (!CIDAAS_IDENTIFIER_FIELDS.some((f) => mapped.has(f))) {
    fail(
      ['users', 'fields'],
      `maps none of ${CIDAAS_IDENTIFIER_FIELDS.join(', ')}; cidaas needs at least one of them to identify a user, so write e.g. \`email: email\` under fields (or set \`mapping:\` to a module that fills one)`,
    );
  }
}

function checkOverlap(raw: RawConfig, fail: (path: Path, message: string) => void): void {
  if (raw.attributes === undefined) return;
  for (const kind of ['fields', 'customFields'] as const) {
    for (const name of Object.keys(raw.attributes[kind])) {
      if (Object.hasOwn(raw.users[kind], name)) {
        fail(['attributes', kind, name], `is also set by users.${kind}.${name}; keep one of the two`);
      }
    }
  }
}

/** The password of a database URL, raw and decoded, for {@link rememberSecret}. */
function rememberUrlPassword(url: string): void {
  const userInfo = /^[a-z][a-z0-9+.-]*:(?:\/\/)?([^@/]*:(.*))@[^@]*$/i.exec(url)?.[2];
  rememberSecret(userInfo);
  try {
    const u = new URL(url);
    rememberSecret(u.password === '' ? undefined : decodeURIComponent(u.password));
    for (const [k, v] of u.searchParams) if (/pass|pwd|secret|token/i.test(k)) rememberSecret(v);
  } catch {
    // not a URL: the raw user-info above is all there is
  }
}
