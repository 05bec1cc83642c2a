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
  const problems: string[] = [];
  const bad = new Set<string>();
  for (const { key, m } of mapped) {
    const found = m.kind === 'invalid' ? [m.reason] : m.kind === 'upsert' ? lintCidaasUser(m.user).map((f) => `${f.field}: ${f.message}`) : [];
    for (const p of found) problems.push(`user ${key}: ${p}`);
    if (found.length) bad.add(key);
  }
  const upserts = mapped.filter((x) => x.m.kind === 'upsert').length;
  const summary = `${mapped.length} users read: ${upserts} become cidaas users`;
  if (problems.length === 0) return [pass(name, summary)];
  const fix = 'adjust users.fields, password.algorithm, mfa.encoding or the mapping module; `cidaas-sync preview --limit 50` shows each entity';
  const detail = `${summary}; ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`;
  return [bad.size === mapped.length ? fail(name, detail, fix) : warn(name, detail, fix)];
}
