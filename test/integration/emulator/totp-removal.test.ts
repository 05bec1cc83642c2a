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
});
