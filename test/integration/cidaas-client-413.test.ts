import { expect } from 'chai';
import { runScenario } from '../support/cidaas-client-fixture.js';

const BULK = 'POST /users-srv/user/bulk';

describe('cidaas client: a 413 lowers the batch limit only when a split proves it, and probes back up (#20)', () => {
  it('one user too large for the tenant fails alone and leaves the batch size as it was', async () => {
    await runScenario({
      emulator: { maxBodyBytes: 6000 },
      async run(h) {
        const c = h.client();
        const users = h.users(5);
        users[0] = { ...users[0]!, customFields: { notes: 'x'.repeat(8000) } };
        const outcomes = h.keep(await c.bulkUpsert(users));
        expect(outcomes.map((o) => o.status)).to.deep.equal(['FAILED', 'CREATED', 'CREATED', 'CREATED', 'CREATED']);
        expect(outcomes[0]!.message).to.contain('HTTP 413 for this user alone');
        const refused = h.emu.stats().requests[BULK]?.['413'] ?? 0;
        const accepted = h.emu.stats().requests[BULK]?.['200'] ?? 0;
        // A clean batch of five afterwards is one call, not five.
        h.keep(await c.bulkUpsert(h.users(5, 'w')));
        expect(h.emu.stats().requests[BULK]?.['200']).to.equal(accepted + 1);
        expect(h.emu.stats().requests[BULK]?.['413']).to.equal(refused);
      },
    });
  });

  it('a count the tenant refuses is learned from the split, and a probe later tries twice as many', async () => {
    await runScenario({
      emulator: { maxBatch: 2 },
      async run(h) {
        const c = h.client();
        h.keep(await c.bulkUpsert(h.users(4)));
        const learnedAt = h.emu.stats().requests[BULK]?.['413'] ?? 0;
        expect(learnedAt).to.equal(1);
        // 20 calls at the learned limit of 2, then one probe of 4 (the next call with more than 2 users): refused, split, proved again.
        for (let i = 0; i < 11; i++) h.keep(await c.bulkUpsert(h.users(4, `p${i}`)));
        expect(h.emu.stats().requests[BULK]?.['413']).to.equal(2);
        expect(h.emu.userCount).to.equal(48);
      },
    });
  });

  it('a limit learned from a 413 the tenant no longer gives is raised again by the probe', async () => {
    await runScenario({
      async run(h) {
        const c = h.client();
        h.emu.addFaults([{ path: '/users-srv/user/bulk', status: 413, times: 1 }]);
        h.keep(await c.bulkUpsert(h.users(4)));
        for (let i = 0; i < 11; i++) h.keep(await c.bulkUpsert(h.users(4, `p${i}`)));
        const before = h.emu.stats().requests[BULK]?.['200'] ?? 0;
        h.keep(await c.bulkUpsert(h.users(4, 'after')));
        expect(h.emu.stats().requests[BULK]?.['200'], 'four users in one call again').to.equal(before + 1);
        expect(h.logger.text()).to.contain('raising the users per call');
      },
    });
  });
});
