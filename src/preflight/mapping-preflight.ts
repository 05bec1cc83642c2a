import type { Config } from '../../config/config-schema.js';
import { loadMappingModule } from '../../config/load-mapping-module.js';
import type { MappingFunction } from '../../config/mapping-types.js';
import { SyncError } from '../errors.js';
import type { LegacyReader } from '../legacy-reader.js';
import type { MappedUser, UserMapper } from '../user-mapper.js';
import { lintCidaasUser } from './cidaas-user-lint.js';
import { fail, pass, warn, type PreflightItem } from './preflight-item.js';

/** How many users `check` maps as a sample. */
export const MAPPING_SAMPLE = 10;

/** The mapping module, loaded; or the item saying why it does not load. */
export async function checkMappingModule(config: Config): Promise<{ item: PreflightItem | null; mapping: MappingFunction | null }> {
  if (!config.mapping) return { item: null, mapping: null };
  try {
    const mapping = await loadMappingModule(config.mapping);
    return { item: pass('mapping module', `${config.mapping} loads and exports a function`), mapping };
  } catch (err) {
    return { item: fail('mapping module', (err as Error).message, err instanceof SyncError && err.hint ? err.hint : 'fix `mapping:` or the module'), mapping: null };
  }
}

/**
 * Maps the first users (key order) exactly as the push would and reports the ones cidaas-sync
 * cannot push (they would become dead letters) and entities cidaas would refuse. Some bad rows
 * are a warning (the others sync); every sampled user failing is an error (the mapping is wrong).
 */
export async function checkMappedUsers(reader: LegacyReader, mapper: UserMapper, sample = MAPPING_SAMPLE): Promise<PreflightItem[]> {
  const name = `mapping of the first ${sample} users`;
  let mapped: { key: string; m: MappedUser }[];
  try {
    const keys = await reader.pageKeys(null, sample);
    const rows = await reader.readUsers(keys);
    mapped = [];
    for (const key of keys) mapped.push({ key, m: await mapper.map(rows.get(key)!) });
  } catch (err) {
    return [fail(name, `reading users failed: ${(err as Error).message}`, 'fix the table and column items above first')];
  }
  if (mapped.length === 0) return [pass(name, 'the users table is empty: nothing to map yet')];
  const { summary, problems, bad } = describeMappedSample(mapped);
  if (problems.length === 0) return [pass(name, summary)];
  const fix = 'adjust users.fields, password.algorithm, mfa.encoding or the mapping module; `cidaas-sync preview --limit 50` shows each entity';
  const detail = `${summary}; ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`;
  return [bad === mapped.length ? fail(name, detail, fix) : warn(name, detail, fix)];
}

/**
 * What `check` says about the sampled users: how many become cidaas users and what the rest are
 * (a sample of ten with three soft-deleted users read "7 become cidaas users" and no why), and
 * each problem once with the users it concerns: one unrecognised hash format in a sample was
 * otherwise the same long reason five times.
 */
export function describeMappedSample(mapped: readonly { key: string; m: MappedUser }[]): { summary: string; problems: string[]; bad: number } {
  const users = new Map<string, string[]>();
  let bad = 0;
  for (const { key, m } of mapped) {
    const found = m.kind === 'invalid' ? [m.reason] : m.kind === 'upsert' ? lintCidaasUser(m.user).map((f) => `${f.field}: ${f.message}`) : [];
    for (const p of found) users.set(p, [...(users.get(p) ?? []), key]);
    if (found.length) bad += 1;
  }
  const count = (kind: MappedUser['kind']): number => mapped.filter((x) => x.m.kind === kind).length;
  const rest = [
    count('delete') ? `${count('delete')} are deletes (soft-deleted, filtered out or the mapping's 'delete')` : '',
    count('skip') ? `${count('skip')} skipped by the mapping module` : '',
    count('invalid') ? `${count('invalid')} cannot be pushed` : '',
  ].filter(Boolean);
  const summary = `${mapped.length} users read: ${count('upsert')} become cidaas users${rest.map((r) => `, ${r}`).join('')}`;
  const problems = [...users].map(([p, keys]) => `${keys.length === 1 ? 'user' : 'users'} ${keys.join(', ')}: ${p}`);
  return { summary, problems, bad };
}
