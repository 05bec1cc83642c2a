import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { request } from 'undici';
import { parse, stringify } from 'yaml';
import { DEFAULT_SCOPES, startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { createScratchDb, type ScratchDb } from '../legacy/key-type-db.js';
import { killAllSidecars, startSidecar, type SidecarLine } from '../../support/sidecar-process.js';
import { waitFor } from '../../support/wait-for.js';
import { described, runCli } from '../cli/cli-run.js';
import { CLIENT_ID, CLIENT_SECRET, writePlatformConfig, type PlatformConfig } from './platform-fixture.js';
import { KEYCLOAK_DDL } from './platform-schemas.js';

const GOOGLE_ID = '109876543210987654321';
const FACEBOOK_ID = '10223344556677889';
const STRANDED = 'a social login linked in cidaas is not in legacy and stays';

interface ReportShape { equal: boolean; differing: { key: string; groups: string[] }[] }

/**
 * A social login unlinked in Keycloak (a federated_identity row deleted), through the keycloak
 * preset, against a tenant whose bulk upsert replaces a user's identities and one whose upsert
 * only adds them (#16). With `cidaas.compat.identities` set to what the tenant does: under
 * `replace` the link goes in cidaas and verify is equal, with no user read back; under `add` no
 * call can remove it, so the sidecar warns once for that push (key and provider, not the id at
 * the provider), counts it in /metrics, and verify reports the user as differing.
 */
for (const mode of ['replace', 'add'] as const) {
  describe(`Keycloak federated identities against a tenant whose upsert ${mode === 'replace' ? 'replaces' : 'only adds to'} a user's social links (identities: ${mode}) (#16)`, function () {
    this.timeout(180_000);
    const realm = randomUUID();
    const ann = randomUUID();
    const ben = randomUUID();
    const sub = (key: string): string => `legacy-${key}`;
    let db: ScratchDb;
    let emu: RunningEmulator;
    let config: PlatformConfig;

    before(async () => {
      db = await createScratchDb('postgres', 'kcids');
      for (const s of KEYCLOAK_DDL) await db.exec(s);
      await db.publish(['user_entity', 'credential', 'user_group_membership', 'federated_identity']);
      await db.exec('INSERT INTO realm (id, name) VALUES (?, ?)', [realm, 'shop']);
      for (const [id, name] of [[ann, 'ann'], [ben, 'ben']] as const) {
        await db.exec(`INSERT INTO user_entity (id, email, email_constraint, email_verified, enabled, first_name, last_name, realm_id, username, created_timestamp)
          VALUES (?, ?, ?, true, true, ?, '', ?, ?, ?)`, [id, `${name}@example.org`, `${name}@example.org`, name, realm, name, Date.now()]);
      }
      const link = (provider: string, federatedId: string, user: string): Promise<unknown> => db.exec(
        'INSERT INTO federated_identity (identity_provider, realm_id, federated_user_id, federated_username, user_id) VALUES (?, ?, ?, ?, ?)',
        [provider, realm, federatedId, 'ann', user]);
      await link('google', GOOGLE_ID, ann);
      await link('facebook', FACEBOOK_ID, ann);
      emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: [...DEFAULT_SCOPES], tenant: { identityUpdate: mode } });
      // The providers as `setup apply` (tenant.socialProviders) would have made them.
      for (const provider of ['google', 'facebook']) emu.setup.social.set(provider, { id: provider, provider_name: provider, name: provider, enabled: true });
      config = await writePlatformConfig({ kind: 'postgres', url: db.url, publication: db.publication, emulatorUrl: emu.url, body: { preset: { name: 'keycloak', realmId: realm } } });
      const written = parse(await readFile(config.path, 'utf8')) as { cidaas: Record<string, unknown> };
      await writeFile(config.path, stringify({ ...written, cidaas: { ...written.cidaas, compat: { identities: mode } } }));
    });

    after(async () => {
      await killAllSidecars();
      await emu?.close();
      await db?.drop();
      await config?.remove();
    });

    it(mode === 'replace'
      ? 'an unlinked login goes in cidaas with the push, no user is read back, and verify is equal'
      : 'an unlinked login stays in cidaas: one warning naming the key and provider, counted in /metrics, and verify names the user', async () => {
      const sidecar = startSidecar({ args: ['run', '--config', config.path] });
      const running = await sidecar.waitForLine((l) => l.message === 'cidaas-sync running', 60_000);
      const providersOf = (key: string): string[] | undefined => emu.getUser(sub(key))?.identities?.map((i) => i.provider);
      await waitFor(() => providersOf(ann)?.join() === 'facebook,google' && providersOf(ben)?.join() === '',
        { timeoutMs: 90_000, message: () => `the users did not land with their links: ${sidecar.stderr.slice(-2000)}` });

      // ann unlinks Facebook in Keycloak's account console: the federated_identity row goes.
      await db.exec("DELETE FROM federated_identity WHERE user_id = ? AND identity_provider = 'facebook'", [ann]);
      const stranded = (l: SidecarLine): boolean => l.message.startsWith(STRANDED);
      if (mode === 'replace') {
        await waitFor(() => providersOf(ann)?.join() === 'google', { timeoutMs: 60_000, message: () => `the unlinked login stayed: ${String(providersOf(ann))}` });
      } else {
        const warning = await sidecar.waitForLine(stranded, 60_000);
        expect(warning).to.include({ level: 'warn', key: ann, sub: sub(ann) });
        expect(warning['providers']).to.deep.equal(['facebook']);
        expect(JSON.stringify(warning)).to.not.contain(FACEBOOK_ID).and.not.contain(GOOGLE_ID);
        expect(providersOf(ann)).to.deep.equal(['facebook', 'google']);
      }

      // Another user's change lands after it: ann's change was warned about once, not at every batch.
      await db.exec('UPDATE user_entity SET first_name = ? WHERE id = ?', ['Benedict', ben]);
      await waitFor(() => emu.getUser(sub(ben))?.given_name === 'Benedict', { timeoutMs: 60_000, message: 'ben\'s change did not land' });
      expect(sidecar.lines.filter(stranded).length).to.equal(mode === 'add' ? 1 : 0);
      const metrics = await (await request(`http://127.0.0.1:${String(running.http)}/metrics`)).body.text();
      if (mode === 'add') expect(metrics).to.match(/^cidaas_sync_stranded_identities_total\{provider="facebook"\} 1$/m);
      else expect(metrics).to.not.match(/^cidaas_sync_stranded_identities_total\{/m);
      // Only `add` reads updated users back (one GET each): `replace` costs no call more.
      const reads = emu.stats().requests['GET /user-srv/users/{sub}'] ?? {};
      expect(Object.values(reads).reduce((a, b) => a + b, 0), JSON.stringify(emu.stats().requests)).to.equal(mode === 'add' ? 2 : 0);
      expect((await sidecar.terminate()).code).to.equal(0);

      const report = join(config.dir, 'verify.json');
      const verify = await runCli(['verify', '--config', config.path, '--report', report, '--no-progress'], { timeoutMs: 90_000 });
      expect(verify.code, described(verify)).to.equal(mode === 'add' ? 4 : 0);
      if (mode === 'add') expect(verify.stdout + verify.stderr).to.contain("1 users' social logins differ").and.contain('unlink it in the cidaas admin UI');
      const parsed = JSON.parse(await readFile(report, 'utf8')) as ReportShape;
      expect(parsed.differing).to.deep.equal(mode === 'add' ? [{ key: ann, sub: sub(ann), groups: ['identities'] }] : []);
    });
  });
}
