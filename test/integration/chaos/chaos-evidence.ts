import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import type { StateStore } from '../../../src/state/state-store.js';
import type { ConvergenceResult } from '../../support/convergence.js';
import type { ShopDb } from '../../support/shop-schema.js';
import type { SidecarProcess } from '../../support/sidecar-process.js';

/**
 * What a chaos run leaves behind for a bug report (`npm run soak -- --log-dir DIR`): every
 * sidecar's log lines and, for each user that is lost, stale or extra, what the legacy database,
 * the emulator and the state store hold for it. Password hashes and TOTP secrets are left out:
 * only whether they are present.
 */

/** What {@link writeChaosEvidence} needs. */
export interface ChaosEvidence {
  readonly sidecars: readonly SidecarProcess[];
  readonly db: ShopDb;
  readonly emulator: RunningEmulator;
  readonly store: StateStore;
  readonly result: ConvergenceResult;
  readonly prefix: string;
}

function withoutSecrets(user: object | undefined): unknown {
  if (user === undefined) return null;
  const copy: Record<string, unknown> = { ...user };
  if ('password_hash_info' in copy) copy['password_hash_info'] = copy['password_hash_info'] ? '(present)' : undefined;
  if ('mfa' in copy) copy['mfa'] = copy['mfa'] ? '(present)' : undefined;
  return copy;
}

/** Writes the evidence into `dir` (created): sidecar-<n>.log (JSON lines) and problems.json. */
export async function writeChaosEvidence(dir: string, e: ChaosEvidence): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [n, p] of e.sidecars.entries()) {
    const lines = p.lines.map((l) => JSON.stringify(l)).join('\n');
    await writeFile(join(dir, `sidecar-${String(n).padStart(3, '0')}.log`), `${lines}\n# exit ${JSON.stringify(p.exit ?? null)}\n# stderr\n${p.stderr}`);
  }
  const subs = [...e.result.lost, ...e.result.stale.map((s) => s.key), ...e.result.extra];
  const problems = [];
  for (const sub of subs) {
    const key = sub.startsWith(e.prefix) ? sub.slice(e.prefix.length) : sub;
    const [row] = await e.db.query('SELECT * FROM users WHERE id = ?', [key]);
    const credentials = await e.db.query('SELECT user_id, updated_at FROM credentials WHERE user_id = ?', [key]);
    const devices = await e.db.query('SELECT id, confirmed FROM totp_devices WHERE user_id = ?', [key]);
    const state = (await e.store.getUserStates([key])).get(key);
    const dead = (await e.store.getDeadLetters([key])).get(key);
    problems.push({
      sub,
      stale: e.result.stale.find((s) => s.key === sub)?.fields ?? null,
      legacy: { user: row ?? null, credentials, devices },
      emulator: withoutSecrets(e.emulator.getUser(sub)),
      state: state ?? null,
      deadLetter: dead ?? null,
      logLines: e.sidecars.flatMap((p, n) => p.lines.filter((l) => l['key'] === key || l['sub'] === sub).map((l) => ({ sidecar: n, ...l }))),
    });
  }
  await writeFile(join(dir, 'problems.json'), `${JSON.stringify({ result: e.result, problems }, null, 2)}\n`);
}
