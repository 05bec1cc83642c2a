import { expect } from 'chai';
import type { CidaasUser } from '../../src/cidaas/cidaas-user.js';
import type { ClientScenario } from './cidaas-client-fixture.js';

const BULK = 'POST /users-srv/user/bulk';
const SEARCH = 'POST /user-srv/graph/users';

/** The bulk, purge, read and search behaviours of the cidaas client, by title. */
export const bulkScenarios: Record<string, ClientScenario> = {
  'bulk upsert answers CREATED, then UPDATED, per user in input order, and stores hash and TOTP secret': {
    async run(h) {
      const c = h.client();
      const users = h.users(4);
      const first = h.keep(await c.bulkUpsert(users));
      expect(first).to.deep.equal(users.map((u) => ({ sub: u.sub, status: 'CREATED', permanent: false })));
      const stored = h.emu.getUser('u-1');
      expect(stored?.password_hash_info?.passwordHash).to.equal(users[1]!.password_hash_info!.passwordHash.reveal());
      expect(stored?.mfa?.totp?.secret).to.equal(users[1]!.mfa!.totp!.secret.reveal());

      const [extra] = h.users(1, 'v');
      const second = h.keep(await c.bulkUpsert([{ ...users[2]!, given_name: 'Changed' }, extra!, { sub: 'u-0', family_name: 'Only' }]));
      expect(second.map((o) => [o.sub, o.status])).to.deep.equal([['u-2', 'UPDATED'], ['v-0', 'CREATED'], ['u-0', 'UPDATED']]);
      expect(h.emu.getUser('u-2')?.given_name).to.equal('Changed');
      expect(h.emu.getUser('u-0')?.email).to.equal('u-0@example.com');
    },
  },

  'a user cidaas refuses is FAILED with its message while the others in the batch succeed': {
    async run(h) {
      const users = h.users(4);
      users[3] = { ...users[3]!, email: 'bad@example' };
      h.emu.addFaults([{ failEmail: users[1]!.email!, message: 'blocked by tenant policy' }]);
      const outcomes = h.keep(await h.client().bulkUpsert(users));
      expect(outcomes).to.deep.equal([
        { sub: 'u-0', status: 'CREATED', permanent: false },
        { sub: 'u-1', status: 'FAILED', message: 'blocked by tenant policy', permanent: true },
        { sub: 'u-2', status: 'CREATED', permanent: false },
        { sub: 'u-3', status: 'FAILED', message: 'invalid email passed', permanent: true },
      ]);
      expect(h.emu.stats().requests[BULK]).to.deep.equal({ 200: 1 });
    },
  },

  'a batch larger than cidaas accepts (413) is split until it fits, and later batches are sent at that size': {
    emulator: { maxBatch: 2 },
    async run(h) {
      const c = h.client();
      const outcomes = h.keep(await c.bulkUpsert(h.users(5)));
      expect(outcomes.map((o) => [o.sub, o.status])).to.deep.equal(['u-0', 'u-1', 'u-2', 'u-3', 'u-4'].map((s) => [s, 'CREATED']));
      const refused = h.emu.stats().requests[BULK]?.['413'] ?? 0;
      expect(refused).to.be.greaterThan(0);
      expect(h.logger.text()).to.contain('cidaas.batchSize');

      const later = h.keep(await c.bulkUpsert(h.users(4, 'w')));
      expect(later.every((o) => o.status === 'CREATED')).to.equal(true);
      expect(h.emu.stats().requests[BULK]?.['413']).to.equal(refused);
    },
  },

  'a batch cidaas rejects whole with 400 is split down to the one user that causes it': {
    async run(h) {
      const users: CidaasUser[] = h.users(4);
      // An entity that serialises to a string, not an object: cidaas refuses the whole array (400).
      users[2] = Object.assign({ sub: 'u-2' }, { toJSON: () => 'not a user' });
      const outcomes = h.keep(await h.client().bulkUpsert(users));
      expect(outcomes.map((o) => [o.sub, o.status, o.permanent])).to.deep.equal([
        ['u-0', 'CREATED', false], ['u-1', 'CREATED', false], ['u-2', 'FAILED', true], ['u-3', 'CREATED', false],
      ]);
      expect(outcomes[2]!.message).to.match(/not a JSON object/).and.to.match(/HTTP 400/);
      expect(h.emu.getUser('u-3')).not.to.equal(undefined);
    },
  },

  'a single user refused whole (417) is FAILED and permanent, and is not sent again': {
    async run(h) {
      h.emu.addFaults([{ path: '/users-srv/user/bulk', status: 417, times: 2 }]);
      const outcomes = h.keep(await h.client().bulkUpsert(h.users(2)));
      expect(outcomes[0]).to.include({ sub: 'u-0', status: 'FAILED', permanent: true });
      expect(outcomes[0]!.message).to.contain('status 417');
      expect(outcomes[1]).to.deep.equal({ sub: 'u-1', status: 'CREATED', permanent: false });
      expect(h.emu.stats().requests[BULK]).to.deep.equal({ 417: 2, 200: 1 });
    },
  },

  'purge deletes a user, and a sub cidaas does not know is absent': {
    async run(h) {
      const c = h.client();
      await c.bulkUpsert(h.users(1));
      expect(await c.purge('u-0')).to.equal('deleted');
      expect(h.emu.getUser('u-0')).to.equal(undefined);
      expect(await c.purge('u-0')).to.equal('absent');
    },
  },

  'getUser returns the stored user without its secrets, and null for an unknown sub': {
    async run(h) {
      const c = h.client();
      await c.bulkUpsert(h.users(1));
      const user = h.keep(await c.getUser('u-0'));
      expect(user).to.include({ sub: 'u-0', email: 'u-0@example.com', has_password: true, given_name: 'Given0' });
      expect(user?.mfa?.totp?.enrolled).to.equal(true);
      expect(user).not.to.have.property('password_hash_info');
      expect(user?.updatedTime).to.be.a('string');
      expect(await c.getUser('nobody')).to.equal(null);
    },
  },

  'search pages through users in sub order with the total': {
    async run(h) {
      const c = h.client();
      await c.bulkUpsert(h.users(5));
      const first = h.keep(await c.search({ from: 0, size: 2, sortfield: 'sub' }));
      expect(first.total).to.equal(5);
      expect(first.users.map((u) => u.sub)).to.deep.equal(['u-0', 'u-1']);
      const last = await c.search({ from: 4, size: 2, sortfield: 'sub' });
      expect(last.users.map((u) => u.sub)).to.deep.equal(['u-4']);
      const down = await c.search({ from: 0, size: 2, sortfield: 'sub', descending: true });
      expect(down.users.map((u) => u.sub)).to.deep.equal(['u-4', 'u-3']);
    },
  },

  "search past cidaas's 10,000-result window is refused before calling cidaas": {
    async run(h) {
      const err = await h.expectSyncError(h.client().search({ from: 9500, size: 1000 }));
      expect(err.code).to.equal('CIDAAS_REJECTED');
      expect(err.hint).to.contain('getUser');
      expect(h.emu.stats().requests).not.to.have.property(SEARCH);
    },
  },
};
