import type { LegacyReader } from '../legacy-reader.js';
import type { PasswordHashInfo } from '../password/password-hash-info.js';
import type { UserMapper } from '../user-mapper.js';
import type { CanaryReport } from './canary-finding.js';

/** What the canary learns from the legacy users: counts, and one hash per format to copy parameters from. */
export interface LegacySample {
  readonly summary: CanaryReport['sample'];
  /** Per algorithmTypeId, the password_hash_info of one sampled user (never printed). */
  readonly examples: Map<string, PasswordHashInfo>;
  /** True when a sampled user has a TOTP seed. */
  readonly hasTotp: boolean;
}

const PROFILE = ['given_name', 'family_name', 'middle_name', 'nickname', 'locale', 'birthdate'];
const READ_CHUNK = 500;

function keyKind(key: string): string {
  if (/^-?\d+$/.test(key)) return 'numeric';
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key)) return 'uuid';
  return 'text';
}

/**
 * Reads the first `size` legacy users (in key order) through the same reader and mapper
 * the push uses, and counts their key kinds, password formats (cidaas algorithmTypeIds)
 * and field groups.
 */
export async function sampleLegacyUsers(reader: LegacyReader, mapper: UserMapper, size: number): Promise<LegacySample> {
  const keys = await reader.pageKeys(null, size);
  const summary = { users: 0, keys: {} as Record<string, number>, formats: {} as Record<string, number>, groups: {} as Record<string, number>, invalid: 0 };
  const examples = new Map<string, PasswordHashInfo>();
  let hasTotp = false;
  const bump = (o: Record<string, number>, k: string): void => { o[k] = (o[k] ?? 0) + 1; };
  for (let i = 0; i < keys.length; i += READ_CHUNK) {
    const rows = await reader.readUsers(keys.slice(i, i + READ_CHUNK));
    for (const [key, r] of rows) {
      const mapped = await mapper.map(r);
      if (mapped.kind === 'delete' || mapped.kind === 'skip') continue;
      summary.users++;
      bump(summary.keys, keyKind(key));
      if (mapped.kind === 'invalid') { summary.invalid++; continue; }
      const u = mapped.user;
      const pw = u.password_hash_info;
      if (pw) {
        bump(summary.formats, pw.algorithmTypeId);
        if (!examples.has(pw.algorithmTypeId)) examples.set(pw.algorithmTypeId, { ...pw, passwordHash: pw.passwordHash.reveal() });
      }
      if (u.email) bump(summary.groups, 'email');
      if (u.mobile_number) bump(summary.groups, 'mobile');
      if (u.username) bump(summary.groups, 'username');
      if (PROFILE.some((f) => (u as unknown as Record<string, unknown>)[f])) bump(summary.groups, 'profile');
      if (pw) bump(summary.groups, 'password');
      if (u.mfa_enabled) bump(summary.groups, 'mfa');
      if (u.mfa?.totp) hasTotp = true;
      if (u.customFields && Object.keys(u.customFields).length > 0) bump(summary.groups, 'customFields');
    }
  }
  return { summary, examples, hasTotp: hasTotp || (summary.groups['mfa'] ?? 0) > 0 };
}
