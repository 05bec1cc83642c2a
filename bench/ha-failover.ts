/**
 * `ha.failover`: seconds from SIGKILL of the active replica to the first cidaas call of the next
 * one, p50/p99 over 20 failovers (5 small) on PostgreSQL and on MariaDB (goal p99 < 20 s on both).
 * Two replicas with `ha.enabled` and the default 15 s lease (HA_LEASE_SECONDS to change it), the
 * state store in the legacy database, a user changed every 100 ms so there is always something to
 * push, and the emulator's replica log (which token called when) as the clock of the first push.
 * Each killed replica is replaced at once, so a standby is always waiting.
 */
import { loadavg } from 'node:os';
import { progress, type Bench, type BenchFigures, type BenchScale } from './bench.js';
import { startEmulator, type RunningEmulator } from '../tools/emulator/cidaas-emulator.js';
import { killAllSidecars } from '../test/support/sidecar-process.js';
import { stopAllServers } from '../test/support/server-registry.js';
import type { ShopDbKind } from '../test/support/shop-schema.js';
import { writeShopConfig } from '../test/support/test-config.js';
import { seedUsers } from '../test/support/user-generator.js';
import { waitFor } from '../test/support/wait-for.js';
import { ReplicaSet } from '../test/integration/ha/replica-set.js';
import { createSyncTarget } from '../test/integration/sync/sync-target.js';

const CLIENT = { clientId: 'bench-ha', clientSecret: 'bench-ha-secret-0815' };

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function newestToken(emu: RunningEmulator): bigint {
  return emu.replicas().terms.reduce((m, t) => (BigInt(t.token) > m ? BigInt(t.token) : m), 0n);
}

/** Failover times (s) of `count` SIGKILLs of the active replica against `kind`. */
async function failovers(kind: ShopDbKind, count: number, leaseSeconds: number): Promise<number[]> {
  const target = await createSyncTarget(kind);
  const emu = await startEmulator(CLIENT);
  const config = await writeShopConfig({
    kind, sourceUrl: target.url, publication: target.publication, emulatorUrl: emu.url, ...CLIENT,
    stateUrl: target.url, extra: { ha: { enabled: true, leaseSeconds } },
  });
  let changing = true;
  let changer: Promise<void> = Promise.resolve();
  try {
    const seeded = await seedUsers(target.db, 200, 14);
    const set = new ReplicaSet(config.path);
    set.spawn();
    set.spawn();
    await set.currentActive(180_000);
    changer = (async () => {
      for (let n = 0; changing; n++) {
        await target.db.query('UPDATE users SET first_name = ? WHERE id = ?', [`Bench${n}`, seeded.ids[n % seeded.ids.length]]).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const seconds: number[] = [];
    for (let i = 0; i < count; i++) {
      const active = await set.currentActive(180_000);
      // Kill at a random point of the renewal cycle.
      await new Promise((resolve) => setTimeout(resolve, 1000 + Math.random() * (leaseSeconds * 1000) / 3));
      const token = newestToken(emu);
      const at = Date.now();
      await active.kill9();
      set.spawn();
      let first: number | undefined;
      await waitFor(() => (first = emu.replicas().terms.find((t) => BigInt(t.token) > token)?.firstAt) !== undefined, { timeoutMs: 180_000, intervalMs: 20 });
      seconds.push((first! - at) / 1000);
      progress(`${kind} failover ${i + 1}/${count}: ${seconds.at(-1)} s`);
    }
    const overlaps = emu.replicas().overlaps;
    if (overlaps.length) throw new Error(`two replicas called cidaas at once: ${overlaps.join('; ')}`);
    return seconds;
  } finally {
    changing = false;
    await changer;
    await killAllSidecars();
    await emu.close();
    await target.drop();
    await config.remove();
  }
}

function figures(prefix: string, seconds: readonly number[]): BenchFigures {
  const sorted = [...seconds].sort((a, b) => a - b);
  const r = (x: number): number => Math.round(x * 100) / 100;
  return { [`${prefix}_failovers`]: sorted.length, [`${prefix}_p50_s`]: r(quantile(sorted, 0.5)), [`${prefix}_p99_s`]: r(quantile(sorted, 0.99)), [`${prefix}_max_s`]: r(sorted.at(-1) ?? Number.NaN) };
}

export const haFailoverBench: Bench = {
  name: 'ha.failover',
  async run(scale: BenchScale): Promise<BenchFigures> {
    const count = scale === 'full' ? 20 : 5;
    const leaseSeconds = Number(process.env['HA_LEASE_SECONDS'] ?? 15);
    try {
      const pg = await failovers('postgres', count, leaseSeconds);
      const my = await failovers('mysql', count, leaseSeconds);
      return { lease_s: leaseSeconds, ...figures('pg', pg), ...figures('mariadb', my), loadavg_1m: Math.round(loadavg()[0]! * 10) / 10 };
    } finally {
      await stopAllServers();
    }
  },
};
