import { expect } from 'chai';
import type { TenantVariant } from '../../../tools/emulator/cidaas-emulator.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { pollUntil } from '../../../tools/throwaway/poll-until.js';
import { readModeOf } from '../../../src/verify/cidaas-user-lookup.js';
import { ownedFieldsOf } from '../../../src/verify/owned-fields.js';
import type { VerifyReport } from '../../../src/verify/verify-report.js';
import { verifyUsers } from '../../../src/verify/verify-users.js';
import { startInProcessSidecar } from '../../support/in-process-sidecar.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { advisedSettings, canaryConfig, canaryFor, createCanaryWorld, describeFindings, tenantEmulator, type CanaryWorld } from './canary-fixture.js';

type Point = 'bulkEnvelope' | 'bulkStateField' | 'bulkOrder' | 'saltEncoding' | 'totpImport';
/** The points of docs/cidaas-api.md where a tenant may differ that change what sync and verify meet, with every value each may take. */
const POINTS: Record<Point, readonly string[]> = {
  bulkEnvelope: ['data', 'bare'],
  bulkStateField: ['status', 'state', 'process_state'],
  bulkOrder: ['input', 'shuffled'],
  saltEncoding: ['base64', 'text'],
  totpImport: ['accept', 'ignore', 'refuse'],
};

/** Every combination of the points' values (2 x 3 x 2 x 2 x 3 = 72 tenants). */
export function allTenants(): Partial<TenantVariant>[] {
  let out: Record<string, string>[] = [{}];
  for (const [point, values] of Object.entries(POINTS)) out = out.flatMap((t) => values.map((v) => ({ ...t, [point]: v })));
  return out as Partial<TenantVariant>[];
}

/**
 * A subset of {@link allTenants} in which every pair of values of any two points occurs
 * (greedy pairwise covering; deterministic): 9-12 tenants instead of 72. The points act
 * in different places (the bulk answer's reading, the salt, the TOTP block), so a fault
 * that needs two of them together is caught; three together is not plausible.
 */
export function pairwiseTenants(): Partial<TenantVariant>[] {
  const all = allTenants() as Record<string, string>[];
  const points = Object.keys(POINTS);
  const pairsOf = (t: Record<string, string>): string[] =>
    points.flatMap((a, i) => points.slice(i + 1).map((b) => `${a}=${t[a]}&${b}=${t[b]}`));
  const uncovered = new Set(all.flatMap(pairsOf));
  const chosen: Record<string, string>[] = [];
  while (uncovered.size > 0) {
    let best = all[0]!;
    let gain = -1;
    for (const t of all) {
      const g = pairsOf(t).filter((p) => uncovered.has(p)).length;
      if (g > gain) { best = t; gain = g; }
    }
    chosen.push(best);
    for (const p of pairsOf(best)) uncovered.delete(p);
  }
  return chosen as Partial<TenantVariant>[];
}

/**
 * Sync and verify against `tenants`, each with the settings `canary` advises for it (never
 * chosen by hand): the sync must converge and verify must find both sides equal.
 */
export function defineTenantMatrix(kind: ShopDbKind, tenants: readonly Partial<TenantVariant>[]): void {
  describe(`sync and verify against each tenant, with canary's settings (${kind}) (#12)`, function () {
    this.timeout(120_000);
    let world: CanaryWorld;

    before(async () => {
      world = await createCanaryWorld(kind, 8);
    });
    after(async () => {
      await world?.drop();
    });

    for (const tenant of tenants) {
      const named = Object.values(tenant).join(' / ');
      it(`${named}: converges and verifies equal`, async () => {
        const emu = await tenantEmulator(tenant);
        const probe = await canaryConfig(world, emu, {});
        let sidecar: Awaited<ReturnType<typeof startInProcessSidecar>> | undefined;
        const cfg = await (async () => {
          const report = await canaryFor(probe.path);
          expect(report.leftOver).to.deep.equal([]);
          return canaryConfig(world, emu, advisedSettings(report), undefined).then((c) => ({ c, report }));
        })();
        try {
          sidecar = await startInProcessSidecar(cfg.c.path);
          await sidecar.streaming(60_000);
          const { config } = sidecar.pipeline;
          let last: VerifyReport | undefined;
          await pollUntil(async () => {
            last = await verifyUsers({
              reader: sidecar!.pipeline.reader, mapper: sidecar!.pipeline.mapper, client: sidecar!.pipeline.client, store: sidecar!.pipeline.store,
              logger: new MemoryLogger(), concurrency: 4, cidaasRead: readModeOf(config.cidaas.compat.search), ownedFields: ownedFieldsOf(config),
              onDelete: config.cidaas.onDelete,
            });
            return last.equal;
          }, { timeoutMs: 30_000, intervalMs: 200 }).catch(() => {
            throw new Error(`not equal: ${JSON.stringify(last, null, 1).slice(0, 1500)}\ncanary:\n${describeFindings(cfg.report.findings)}`);
          });
          // The salted PBKDF2 users log in with their legacy password: the salt went the way the tenant reads it.
          for (const id of world.pbkdf2Ids) {
            const res = await fetch(`${emu.url}/_emulator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub: `legacy-${id}`, password: world.seeded.passwordOf(id) }) });
            expect(await res.json(), `login of ${id}`).to.deep.equal({ ok: true });
          }
          const totpUsers = world.seeded.ids.filter((id) => world.seeded.totpOf(id) !== null);
          expect(totpUsers.length).to.be.greaterThan(0);
          const reenrolPushes = (await sidecar.metrics.totpReenrol.get()).values[0]?.value ?? 0;
          if (tenant.totpImport === 'accept') expect(reenrolPushes).to.equal(0);
          else expect(reenrolPushes, '/metrics counts the pushes of users who must enrol again').to.be.at.least(totpUsers.length);
          // flag-only: verify lists the users who must enrol their authenticator again.
          expect(last?.totpReenrol.keys.map(Number).sort((x, y) => x - y)).to.deep.equal(tenant.totpImport === 'accept' ? [] : totpUsers.map(Number).sort((x, y) => x - y));
          for (const id of totpUsers) {
            const stored = emu.getUser(`legacy-${id}`);
            expect(stored?.mfa_enabled, `mfa_enabled of ${id}`).to.equal(true);
            expect(stored?.mfa?.totp !== undefined, `TOTP seed of ${id}`).to.equal(tenant.totpImport === 'accept');
          }
        } finally {
          const source = sidecar?.pipeline.config.source;
          await sidecar?.stop();
          // 72 tenants would use up the server's replication slots.
          if (source?.kind === 'postgres') {
            await world.target.db.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active', [source.slot]);
          }
          await emu.close();
          await probe.remove();
          await cfg.c.remove();
        }
      });
    }
  });
}
