import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { TenantVariant } from '../../../tools/emulator/cidaas-emulator.js';
import { useEmulator, user } from './emulator-fixture.js';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const SHAPES = { empty: {}, null: { totp: null } } as const;

/**
 * The tenant variant `totpRemoval` (`--totp-removal`): which removal of a stored TOTP seed the
 * emulator honours. Read back over the API (`mfa.totp.enrolled`), as the canary and verify read it.
 */
describe('cidaas emulator: removing a TOTP seed (--totp-removal)', () => {
  for (const honoured of ['empty', 'null', 'ignore'] as const satisfies readonly TenantVariant['totpRemoval'][]) {
    describe(`totpRemoval: ${honoured}`, () => {
      const t = useEmulator({ tenant: { totpRemoval: honoured } });

      for (const [shape, mfa] of Object.entries(SHAPES)) {
        const removes = shape === honoured;
        it(`${removes ? 'removes' : 'keeps'} the seed when the removal is sent as mfa: ${JSON.stringify(mfa)}`, async () => {
          await t.bulk([user(1, { mfa_enabled: true, mfa: { totp: { secret: SECRET } } })]);
          const [state] = await t.bulk([{ sub: 'u-1', mfa_enabled: false, mfa }]);
          expect(state!.status).to.equal('UPDATED');
          const back = await t.call('GET', '/user-srv/users/u-1', { token: await t.token() });
          const data = back.body.data as { mfa_enabled: boolean; mfa: { totp: { enrolled: boolean } } };
          expect(data.mfa_enabled).to.equal(false);
          expect(data.mfa.totp.enrolled).to.equal(!removes);
          expect(t.emu.getUser('u-1')!.mfa?.totp?.secret).to.equal(removes ? undefined : SECRET);
          expect(JSON.stringify(back.body)).not.to.include(SECRET);
        });
      }

      it('still stores a seed sent later', async () => {
        await t.bulk([user(1), { sub: 'u-1', mfa_enabled: true, mfa: { totp: { secret: SECRET } } }]);
        expect(t.emu.getUser('u-1')!.mfa?.totp?.secret).to.equal(SECRET);
      });
    });
  }

  it('cidaas-sync emulator --totp-removal null: honours {"totp": null} and ignores {}', async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const child = spawn(process.execPath, ['bin/cidaas-sync.js', 'emulator', '--port', '0', '--client-id', 'c', '--client-secret', 'cli-secret-value', '--totp-removal', 'null'], { cwd: root });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
        });
        child.on('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
      });
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'c', client_secret: 'cli-secret-value' });
      const { access_token: token } = await (await fetch(`${url}/token-srv/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })).json() as { access_token: string };
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const push = async (u: unknown): Promise<void> => {
        expect((await fetch(`${url}/users-srv/user/bulk`, { method: 'POST', headers, body: JSON.stringify([u]) })).status).to.equal(200);
      };
      const enrolled = async (): Promise<boolean> => ((await (await fetch(`${url}/user-srv/users/u-1`, { headers })).json()) as { data: { mfa: { totp: { enrolled: boolean } } } }).data.mfa.totp.enrolled;
      await push({ sub: 'u-1', email: 'u1@example.com', mfa_enabled: true, mfa: { totp: { secret: SECRET } } });
      await push({ sub: 'u-1', mfa_enabled: false, mfa: {} });
      expect(await enrolled(), 'after mfa: {}').to.equal(true);
      await push({ sub: 'u-1', mfa_enabled: false, mfa: { totp: null } });
      expect(await enrolled(), 'after mfa: {"totp": null}').to.equal(false);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });
});
