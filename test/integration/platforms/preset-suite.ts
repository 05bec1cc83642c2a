import { expect } from 'chai';
import type { RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { createScratchDb, type ScratchDb } from '../legacy/key-type-db.js';
import { killAllSidecars, startSidecar, type SidecarProcess } from '../../support/sidecar-process.js';
import { waitFor } from '../../support/wait-for.js';
import { described, jsonOf, runCli } from '../cli/cli-run.js';
import { loginOk, startPlatformTenant, totpOk, writePlatformConfig, type PlatformConfig, type PlatformTenant } from './platform-fixture.js';

/** One platform as its own code leaves the database: its schema, how it stores a user and a new password. */
export interface PresetCase {
  /** The describe title (with the issue tag). */
  readonly title: string;
  readonly kind: 'postgres' | 'mysql';
  /** The platform's own DDL (plus what `cidaas-sync check` asks a DBA to add, e.g. REPLICA IDENTITY FULL). */
  readonly ddl: readonly string[];
  /** PostgreSQL: the tables to publish. */
  readonly tables: readonly string[];
  /** The `preset:` value; may depend on rows `setup` wrote (a realm's id). */
  preset(): unknown;
  /** Keys the file writes beside `preset:` (an optional platform module the preset leaves out). */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** Rows the platform writes at install (a realm, the anonymous user). */
  setup?(db: ScratchDb): Promise<void>;
  /** Inserts a user with `password` (a platform-made hash of it); returns the user's key. */
  addUser(db: ScratchDb, name: string, password: string): Promise<string>;
  /** Changes the password as the platform does. */
  setPassword(db: ScratchDb, key: string, password: string): Promise<void>;
  /** Enrols a TOTP authenticator as the platform does; returns its base32 secret. Absent: no MFA on this platform. */
  addTotp?(db: ScratchDb, key: string): Promise<string>;
  /** Turns two-factor off as the platform does (which may keep the secret); the TOTP must leave cidaas. */
  disableTotp?(db: ScratchDb, key: string): Promise<void>;
  /**
   * Changes the user's email address as the platform does, which takes back its verification
   * (Laravel: email_verified_at = NULL); the users `addUser` made are verified. Absent: not tested.
   */
  changeEmail?(db: ScratchDb, key: string, email: string): Promise<void>;
  /** The hash format needs `cidaas-sync verifier` (a CUSTOM_ id). */
  readonly verifier: boolean;
  /**
   * Also run `cidaas-sync preview` and `check` (the preset in force, no overrides, every error-level
   * item passing); several seconds of CLI start-ups, so for a few platforms, not each.
   */
  readonly cli?: boolean;
  /** The algorithmTypeId the first user's hash is pushed as. */
  readonly algorithm: string;
  /** The passwords of the three users; the first is the platform's published test vector's. */
  readonly passwords: readonly [string, string, string];
  /**
   * More of what the preset maps (group memberships, linked logins), once the backfill has landed:
   * changes them as the platform does and waits for cidaas to follow. `keys` are the three users'.
   */
  afterBackfill?(db: ScratchDb, keys: readonly string[], emu: RunningEmulator): Promise<void>;
}

/**
 * The preset proof (#11): the platform's real schema, a configuration of `preset:` plus the
 * connection and nothing else, a backfill, a password change, a kill -9 of the sidecar in the
 * middle of the stream, a restart, another change, then logins through the emulator (with the
 * verifier where the format needs it): each current password works, each old one is refused.
 */
export function presetSuite(c: PresetCase): void {
  describe(c.title, function () {
    this.timeout(240_000);
    let db: ScratchDb;
    let tenant: PlatformTenant;
    let config: PlatformConfig;
    const sub = (key: string): string => `legacy-${key}`;
    const streaming = (p: SidecarProcess): Promise<unknown> => p.waitForLine((l) => l.message === 'streaming' && l.component === 'runner', 120_000);

    before(async () => {
      db = await createScratchDb(c.kind, 'preset');
      for (const s of c.ddl) await db.exec(s);
      await db.publish(c.tables);
      await c.setup?.(db);
      tenant = await startPlatformTenant({ verifier: c.verifier });
      config = await writePlatformConfig({
        kind: c.kind, url: db.url, publication: c.kind === 'postgres' ? db.publication : undefined, emulatorUrl: tenant.emu.url,
        body: { preset: c.preset(), ...c.overrides },
      });
    });

    after(async () => {
      await killAllSidecars();
      await tenant?.close();
      await db?.drop();
      await config?.remove();
    });

    it('syncs with the preset alone, survives a kill -9 mid-stream, and only current passwords log in', async () => {
      const emu = tenant.emu;
      const [p0, p1, p2] = c.passwords;
      const keys = [await c.addUser(db, 'ann', p0), await c.addUser(db, 'ben', p1), await c.addUser(db, 'cat', p2)];
      const totp = c.addTotp ? await c.addTotp(db, keys[0]!) : undefined;

      // preview and check say which preset is in force and that the file overrides none of it.
      if (c.cli) {
        const name = (c.preset() as { name?: string }).name ?? String(c.preset());
        const preview = await runCli(['preview', '--config', config.path, '--limit', '10'], { timeoutMs: 60_000 });
        expect(preview.code, described(preview)).to.equal(0);
        expect(preview.stdout).to.match(new RegExp(`^preset: ${name} \\(`));
        if (!c.overrides) expect(preview.stdout).to.include('overridden by the file: none');
        expect(preview.stdout).to.match(/\n {4}users\.table: ".+" +\(preset\)\n/);
        expect(preview.stdout).to.match(/users previewed: 3 upsert, /); // Drupal's anonymous uid 0 shows as a delete
        const check = jsonOf<{ sections: { title: string; items: { name: string; ok: boolean; severity: string; detail: string }[] }[] }>(
          await runCli(['check', '--config', config.path, '--json'], { timeoutMs: 90_000 }));
        expect(check.sections[0]!.title).to.equal('preset');
        expect(check.sections[0]!.items[0]!.detail).to.match(new RegExp(`^${name} \\(`));
        for (const section of check.sections) for (const item of section.items.filter((i) => i.severity === 'error')) expect(item.ok, `${section.title}: ${item.name}: ${item.detail}`).to.equal(true);
      }

      let sidecar = startSidecar({ args: ['run', '--config', config.path] });
      await streaming(sidecar);
      expect((await sidecar.waitForLine((l) => l.message.startsWith('backfill done:'))).message).to.match(/^backfill done: \d+ users, 0 dead letters$/);
      await waitFor(() => keys.every((k) => emu.getUser(sub(k)) !== undefined), { timeoutMs: 60_000, message: 'not every user reached cidaas' });
      expect(emu.getUser(sub(keys[0]!))!.password_hash_info?.algorithmTypeId).to.equal(c.algorithm);
      expect(await loginOk(emu, sub(keys[0]!), `${p0}x`), 'a wrong password').to.equal(false);
      expect(await loginOk(emu, sub(keys[0]!), p0), 'the platform vector logs in').to.equal(true);
      if (totp !== undefined) expect(await totpOk(emu, sub(keys[0]!), totp), 'the enrolled authenticator').to.equal(true);
      if (c.changeEmail) expect(emu.getUser(sub(keys[0]!))!.email_verified, 'a verified address').to.equal(true);
      await c.afterBackfill?.(db, keys, emu);

      // ben changes his password; the sidecar dies while the change is in the stream.
      await c.setPassword(db, keys[1]!, `${p1}-new`);
      await sidecar.kill9();
      sidecar = startSidecar({ args: ['run', '--config', config.path] });
      await streaming(sidecar);
      // cat changes hers after the restart.
      await c.setPassword(db, keys[2]!, `${p2}-new`);

      await waitFor(async () => await loginOk(emu, sub(keys[1]!), `${p1}-new`) && await loginOk(emu, sub(keys[2]!), `${p2}-new`),
        { timeoutMs: 60_000, message: () => `the new passwords did not reach cidaas: ${sidecar.stderr.slice(-2000)}` });
      if (c.changeEmail) {
        // A new, unconfirmed address must not stay verified in cidaas.
        await c.changeEmail(db, keys[2]!, 'cat.new@example.com');
        await waitFor(() => emu.getUser(sub(keys[2]!))?.email === 'cat.new@example.com', { timeoutMs: 60_000, message: 'the new address did not reach cidaas' });
        expect(emu.getUser(sub(keys[2]!))!.email_verified, 'the new address is unconfirmed').to.equal(false);
      }
      if (c.disableTotp && totp !== undefined) {
        await c.disableTotp(db, keys[0]!);
        await waitFor(() => emu.getUser(sub(keys[0]!))?.mfa?.totp === undefined, { timeoutMs: 60_000, message: 'the disabled two-factor did not reach cidaas' });
        expect(await totpOk(emu, sub(keys[0]!), totp), 'the authenticator after two-factor was turned off').to.equal(false);
        expect(emu.getUser(sub(keys[0]!))!.mfa_enabled).to.equal(false);
      }
      expect((await sidecar.terminate()).code).to.equal(0);

      expect(await loginOk(emu, sub(keys[1]!), p1), 'ben\'s old password').to.equal(false);
      expect(await loginOk(emu, sub(keys[2]!), p2), 'cat\'s old password').to.equal(false);
      expect(await loginOk(emu, sub(keys[0]!), p0), 'ann, unchanged').to.equal(true);
      expect(emu.userCount).to.equal(3);
    });
  });
}
