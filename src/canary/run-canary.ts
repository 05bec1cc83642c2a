import { pbkdf2Sync, randomBytes } from 'node:crypto';
import type { Config } from '../../config/config-schema.js';
import type { CidaasClient } from '../cidaas/cidaas-client.js';
import { applyCompat, type CidaasCompat } from '../cidaas/cidaas-compat.js';
import type { CidaasUser } from '../cidaas/cidaas-user.js';
import { SyncError } from '../errors.js';
import type { LegacyReader } from '../legacy-reader.js';
import type { Logger } from '../observability/logger.js';
import type { PasswordHashInfo } from '../password/password-hash-info.js';
import { Secret } from '../secret.js';
import type { StateStore } from '../state/state-store.js';
import type { UserMapper } from '../user-mapper.js';
import { asciiSalt, canaryHash } from './canary-hash.js';
import type { CanaryFinding, CanaryReport } from './canary-finding.js';
import { checkGroups } from './canary-groups.js';
import { checkIdentityUpdate, checkUnknownProvider } from './canary-identities.js';
import { checkTotpRemoval } from './canary-totp-removal.js';
import { CanaryLedger } from './canary-ledger.js';
import { sampleLegacyUsers } from './legacy-sample.js';
import type { CanaryLogin } from './password-grant-login.js';
import { base32Encode } from '../mfa/base32.js';

/** What {@link runCanary} works with: the push's own client, reader and mapper. */
export interface CanaryDeps {
  readonly config: Config;
  readonly client: CidaasClient;
  readonly store: StateStore;
  readonly reader: LegacyReader;
  readonly mapper: UserMapper;
  readonly logger: Logger;
  /** The password grant of `canary.loginClientId`; undefined when none is configured. */
  readonly login?: CanaryLogin;
  /** Set `aborted` (Ctrl-C) to stop before the next step; the canary users are removed all the same. */
  readonly signal?: { readonly aborted: boolean };
}

/** A canary user: the entity, its password, and what it is for. */
interface Canary {
  readonly user: CidaasUser;
  readonly password: string;
  readonly purpose: string;
}

const TOTP_SECRET_BYTES = 20;
/**
 * `cidaas-sync canary`: asks the configured tenant, with throwaway users, every question
 * `cidaas.compat` answers, and says per assumption whether it is confirmed, refuted (with
 * the setting to write) or not testable here (with what to ask cidaas support).
 *
 * Canary users have sub `<sub.prefix>canary-<random>` and an address under
 * `canary.domain`, so they cannot collide with migrated users. Their subs are written to
 * the state store before each push and removed from it once cidaas confirms them gone, so
 * a run that is killed leaves them on record: every run first removes what earlier runs
 * left, and removes its own users also when a step fails or Ctrl-C stops it.
 */
export async function runCanary(d: CanaryDeps): Promise<CanaryReport> {
  const ledger = new CanaryLedger(d.store);
  const compat = d.config.cidaas.compat;
  const findings: CanaryFinding[] = [];
  const made: Canary[] = [];
  const stopIfAsked = (): void => {
    if (d.signal?.aborted) throw new SyncError('INTERRUPTED', 'the canary was interrupted; its users were removed', { hint: 'run it again to the end' });
  };
  // What earlier runs left behind (killed, or cidaas unreachable at the end).
  let leftOver = await removeCanaries(d, ledger, await ledger.pending(), findings, false);

  let sample: CanaryReport['sample'];
  try {
    const legacy = await sampleLegacyUsers(d.reader, d.mapper, d.config.canary.sampleSize);
    sample = legacy.summary;
    stopIfAsked();
    const newCanary = (purpose: string, extra: Partial<CidaasUser> = {}): { user: CidaasUser; password: string; purpose: string } => {
      const id = randomBytes(6).toString('hex');
      return {
        user: { sub: `${d.config.sub.prefix}canary-${id}`, email: `canary-${id}@${d.config.canary.domain}`, email_verified: true, given_name: 'Canary', userStatus: 'VERIFIED', ...extra },
        password: `Canary-${randomBytes(9).toString('base64url')}`,
        purpose,
      };
    };

    // One user per password format present, hashed by that format's own parameters.
    const formatUsers: Canary[] = [];
    for (const [id, example] of legacy.examples) {
      const c = newCanary(`password ${id}`);
      const info = await canaryHash(example, c.password);
      if (!info) {
        findings.push({ verdict: 'not testable', assumption: `password ${id}`, detail: id.startsWith('CUSTOM_')
          ? 'verified by your own verification service, which the canary cannot reach: log in once with a migrated test user after the service is live'
          : 'the canary cannot make a hash of this format: ask cidaas support whether the tenant verifies it' });
        continue;
      }
      formatUsers.push({ ...c, user: { ...c.user, provider: 'self', password_hash_info: wrap(info) } });
    }
    // The salt question, asked with one PBKDF2 user per encoding (only a login can tell them apart).
    const saltUsers = d.login ? (['base64', 'text'] as const).map((encoding) => {
      const c = newCanary(`salt as ${encoding}`);
      const salt = asciiSalt();
      const info = pbkdf2Info(c.password, salt, encoding);
      return { ...c, encoding, user: { ...c.user, provider: 'self', password_hash_info: wrap(info) } };
    }) : [];
    // The TOTP question: the seed sent in mfa.totp whatever the setting, to see what the tenant does with it.
    const totpUser = newCanary('TOTP seed', { mfa_enabled: true, mfa: { totp: { secret: new Secret(base32Encode(randomBytes(TOTP_SECRET_BYTES))), algorithm: 'SHA1', digits: 6, period: 30 } } });

    // Formats go through the configured compat, as the push sends them; the probes are sent as they are.
    const pushed: Canary[] = [];
    for (const c of formatUsers) {
      const fitted = applyCompat(c.user, compat);
      if (!fitted.ok) {
        findings.push({ verdict: 'refuted', assumption: c.purpose, detail: fitted.reason });
        continue;
      }
      pushed.push({ ...c, user: fitted.user });
    }
    pushed.push(...saltUsers, totpUser);
    await ledger.add(pushed.map((c) => c.user.sub));
    made.push(...pushed);
    stopIfAsked();
    const outcomes = await d.client.bulkUpsert(pushed.map((c) => c.user));
    const outcomeOf = new Map(outcomes.map((o) => [o.sub, o]));
    const shape = d.client.lastBulkShape;
    if (shape) {
      findings.push({ verdict: 'confirmed', assumption: 'bulk answer', detail:
        `process_states ${shape.envelope === 'data' ? 'inside data' : 'at the top level'}, state in "${shape.stateField ?? '?'}", ` +
        `${shape.order === 'input' ? 'in input order' : 'NOT in input order'}; the client reads every shape and matches by sub, identifier, then position` });
    }
    stopIfAsked();

    for (const c of formatUsers) {
      if (!pushed.includes(c) && !pushed.some((p) => p.user.sub === c.user.sub)) continue;
      findings.push(await checkFormat(d, c, outcomeOf.get(c.user.sub)));
      stopIfAsked();
    }
    findings.push(await checkSalt(d, saltUsers, compat, Object.keys(sample.formats).some((f) => /^(PBKDF2_|SHA1$|SHA256$)/.test(f))));
    stopIfAsked();
    findings.push(await checkTotp(d, totpUser, outcomeOf.get(totpUser.user.sub)?.status === 'FAILED', compat, legacy.hasTotp));
    stopIfAsked();
    findings.push(...await checkTotpRemoval(d, ledger, (purpose) => newCanary(purpose).user));
    stopIfAsked();
    findings.push(...await checkGroups(d, ledger, (purpose) => newCanary(purpose).user));
    stopIfAsked();
    findings.push(...await checkUnknownProvider(d, ledger, (purpose) => newCanary(purpose).user));
    stopIfAsked();
    findings.push(...await checkIdentityUpdate(d, ledger, (purpose) => newCanary(purpose).user));
    stopIfAsked();
    const probe = pushed.find((c) => outcomeOf.get(c.user.sub)?.status !== 'FAILED');
    findings.push(await checkSearch(d, probe?.user.sub, compat));
    stopIfAsked();
    const deletable = pushed.filter((c) => outcomeOf.get(c.user.sub)?.status !== 'FAILED');
    findings.push(await checkDelete(d, ledger, deletable.slice(0, 2).map((c) => c.user.sub), compat));
  } finally {
    leftOver = [...leftOver, ...await removeCanaries(d, ledger, await ledger.pending(), findings, true)];
  }
  if (leftOver.length === 0 && !findings.some((f) => f.verdict === 'refuted')) await ledger.markPassed(d.config);
  return { sample, findings, leftOver: [...new Set(leftOver)] };
}

function wrap(info: PasswordHashInfo): NonNullable<CidaasUser['password_hash_info']> {
  return { algorithmTypeId: info.algorithmTypeId, passwordHash: new Secret(info.passwordHash), ...(info.hData ? { hData: info.hData } : {}) };
}

function pbkdf2Info(password: string, salt: string, encoding: 'base64' | 'text'): PasswordHashInfo {
  // A salt that differs as text and as base64-decoded bytes: only one of the two logins can work.
  return {
    algorithmTypeId: 'PBKDF2_SHA256',
    passwordHash: pbkdf2Sync(password, salt, 1000, 32, 'sha256').toString('base64'),
    hData: { salt: encoding === 'text' ? salt : Buffer.from(salt).toString('base64'), iterations: '1000' },
  };
}

async function checkFormat(d: CanaryDeps, c: Canary, outcome: { status: string; message?: string } | undefined): Promise<CanaryFinding> {
  if (!outcome || outcome.status === 'FAILED') {
    return { verdict: 'refuted', assumption: c.purpose, detail: `cidaas refused the user: ${outcome?.message ?? 'no outcome'}; ask cidaas support whether the tenant verifies this format` };
  }
  const back = await d.client.getUser(c.user.sub);
  if (!back || back.has_password !== true) {
    return { verdict: 'refuted', assumption: c.purpose, detail: 'cidaas took the user but read back shows no password; ask cidaas support' };
  }
  if (!d.login) {
    return { verdict: 'not testable', assumption: c.purpose, detail: 'stored, but no login client to prove cidaas verifies it: set canary.loginClientId/loginClientSecret (an app allowed the password grant), or ask cidaas support' };
  }
  const right = await d.login(c.user.email!, c.password);
  const wrong = await d.login(c.user.email!, `${c.password}-wrong`);
  if (right && !wrong) return { verdict: 'confirmed', assumption: c.purpose, detail: 'stored; login with the right password works, a wrong one is refused' };
  return { verdict: 'refuted', assumption: c.purpose, detail: `login with the right password ${right ? 'works' : 'FAILS'}, a wrong one ${wrong ? 'WORKS' : 'is refused'}; check the password format mapping, or ask cidaas support` };
}

async function checkSalt(d: CanaryDeps, users: readonly (Canary & { encoding: 'base64' | 'text' })[], compat: CidaasCompat, salted: boolean): Promise<CanaryFinding> {
  const assumption = `cidaas.compat.saltEncoding (${compat.saltEncoding})`;
  if (!d.login || users.length === 0) {
    return { verdict: 'not testable', assumption, detail: 'needs a login client (canary.loginClientId): ask cidaas support "is password_hash_info.hData.salt base64-decoded, or used as text?"' };
  }
  const works: ('base64' | 'text')[] = [];
  for (const u of users) if (await d.login(u.user.email!, u.password)) works.push(u.encoding);
  if (works.length !== 1) {
    return { verdict: 'not testable', assumption, detail: `PBKDF2 logins worked for ${works.length === 0 ? 'neither' : 'both'} salt encoding; ask cidaas support how hData.salt is read` };
  }
  const needed = works[0]!;
  if (needed === compat.saltEncoding) return { verdict: 'confirmed', assumption, detail: `the tenant reads hData.salt as ${needed}` };
  if (!salted) return { verdict: 'confirmed', assumption, detail: `the tenant reads hData.salt as ${needed}, but no sampled password has a salt: either setting works; ${needed} is the safe choice` };
  return { verdict: 'refuted', assumption, detail: `the tenant reads hData.salt as ${needed}`, setting: { key: 'saltEncoding', value: needed } };
}

async function checkTotp(d: CanaryDeps, c: Canary, refused: boolean, compat: CidaasCompat, legacyHasTotp: boolean): Promise<CanaryFinding> {
  const assumption = `cidaas.compat.totpImport (${compat.totpImport})`;
  let kept = false;
  let how = 'refused the user with the seed';
  if (!refused) {
    const back = await d.client.getUser(c.user.sub);
    kept = back?.mfa?.totp?.enrolled === true;
    how = kept ? 'kept the TOTP seed' : 'took the user but dropped the TOTP seed';
  }
  const needed = kept ? 'totp' : 'flag-only';
  const note = legacyHasTotp ? '' : ' (no sampled user has a TOTP seed)';
  if (needed === compat.totpImport) return { verdict: 'confirmed', assumption, detail: `the tenant ${how}${note}` };
  const why = needed === 'flag-only' ? 'users with an authenticator must enrol it again (status and verify list them)' : 'users keep their authenticator';
  return { verdict: 'refuted', assumption, detail: `the tenant ${how}${note}; with ${needed} ${why}`, setting: { key: 'totpImport', value: needed } };
}

async function works(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (err) {
    if (err instanceof SyncError && err.transient) throw err;
    return false;
  }
}

async function checkSearch(d: CanaryDeps, sub: string | undefined, compat: CidaasCompat): Promise<CanaryFinding> {
  const assumption = `cidaas.compat.search (${compat.search})`;
  const graph = sub !== undefined && await works(async () => {
    const page = await d.client.search({ from: 0, size: 10, sortfield: 'sub', descending: false, terms: [sub] });
    if (!page.users.some((u) => u.sub === sub)) throw new Error('the search did not find the canary user');
  });
  const bulkread = await works(() => d.client.bulkRead({ size: 1 }));
  const serves = { graph, bulkread, get: true };
  if (serves[compat.search]) return { verdict: 'confirmed', assumption, detail: `the tenant serves it (graph search ${graph ? 'yes' : 'no'}, bulkread ${bulkread ? 'yes' : 'no'})` };
  const needed = graph ? 'graph' : bulkread ? 'bulkread' : 'get';
  return { verdict: 'refuted', assumption, detail: `the tenant does not serve ${compat.search} (graph search ${graph ? 'yes' : 'no'}, bulkread ${bulkread ? 'yes' : 'no'})`, setting: { key: 'search', value: needed } };
}

async function checkDelete(d: CanaryDeps, ledger: CanaryLedger, subs: readonly string[], compat: CidaasCompat): Promise<CanaryFinding> {
  const assumption = `cidaas.compat.delete (${compat.delete})`;
  const tryWay = async (how: CidaasCompat['delete'], sub: string | undefined): Promise<boolean> => {
    if (sub === undefined) return false;
    const ok = await works(() => d.client.purge(sub, how));
    // 404 reads as "already gone": only a read-back shows whether the user really is.
    const gone = ok && (await d.client.getUser(sub)) === null;
    if (gone) await ledger.remove([sub]);
    return gone || (ok && how === 'schedule');
  };
  const purge = await tryWay('purge', subs[0]);
  const schedule = await tryWay('schedule', subs[1] ?? subs[0]);
  const detail = `purge ${purge ? 'deletes' : 'does NOT delete (404 or refused, and the user is still there)'}, scheduled deletion ${schedule ? 'works' : 'does not work'}`;
  const serves = { purge, schedule };
  if (serves[compat.delete]) return { verdict: 'confirmed', assumption, detail };
  if (!purge && !schedule) return { verdict: 'not testable', assumption, detail: `${detail}; ask cidaas support how users are deleted on this tenant (scopes cidaas:users_delete / cidaas:users_write)` };
  return { verdict: 'refuted', assumption, detail, setting: { key: 'delete', value: purge ? 'purge' : 'schedule' } };
}

/**
 * Removes canary users and takes each off the record once cidaas confirms it gone (GET
 * answers 404), or once a scheduled deletion is accepted. Returns the subs still there.
 * Never throws: what fails stays on record for the next run.
 */
async function removeCanaries(d: CanaryDeps, ledger: CanaryLedger, subs: readonly string[], findings: CanaryFinding[], own: boolean): Promise<string[]> {
  const left: string[] = [];
  for (const sub of subs) {
    try {
      let gone = false;
      for (const how of [d.config.cidaas.compat.delete, d.config.cidaas.compat.delete === 'purge' ? 'schedule' : 'purge'] as const) {
        const r = await d.client.purge(sub, how).catch(() => 'failed' as const);
        if (r === 'failed') continue;
        if ((await d.client.getUser(sub)) === null || (how === 'schedule' && r === 'deleted')) { gone = true; break; }
      }
      if (gone) await ledger.remove([sub]);
      else left.push(sub);
    } catch (err) {
      d.logger.warn('could not remove a canary user; it stays on record for the next run', { sub, error: err });
      left.push(sub);
    }
  }
  if (!own && subs.length > 0) {
    findings.push({ verdict: 'confirmed', assumption: 'earlier canary users', detail: `${subs.length - left.length} of ${subs.length} left by an earlier run removed` });
  }
  return left;
}
