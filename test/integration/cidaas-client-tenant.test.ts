import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { CidaasClient } from '../../src/cidaas/cidaas-client.js';
import type { TenantVariant } from '../../tools/emulator/cidaas-emulator.js';
import { MemoryLogger } from '../../src/observability/logger.js';
import { Secret } from '../../src/secret.js';
import { runScenario, TEST_RETRY } from '../support/cidaas-client-fixture.js';

/** Every bulk answer shape a tenant may give (docs/cidaas-api.md): envelope x state field x order. */
const SHAPES: Partial<TenantVariant>[] = [];
for (const bulkEnvelope of ['data', 'bare'] as const) {
  for (const bulkStateField of ['status', 'state', 'process_state'] as const) {
    for (const bulkOrder of ['input', 'shuffled'] as const) SHAPES.push({ bulkEnvelope, bulkStateField, bulkOrder });
  }
}

describe('cidaas client against every tenant variant (#12)', function () {
  this.timeout(30_000);

  for (const shape of SHAPES) {
    it(`matches each bulk outcome to its user: envelope ${shape.bulkEnvelope}, field ${shape.bulkStateField}, order ${shape.bulkOrder}`, async () => {
      await runScenario({
        emulator: { tenant: shape },
        async run(h) {
          const client = h.client();
          const users = h.users(6, 'shape');
          await client.bulkUpsert(users.slice(0, 2));
          // Users 4 and 5 take emails of other subs: FAILED, with ANONYMOUS as sub.
          const batch = [...users.slice(2), { ...users[0]!, sub: 'thief-1', email: users[2]!.email }, { ...users[1]!, sub: 'thief-2', email: users[3]!.email, username: 'thief-2' }];
          const out = h.keep(await client.bulkUpsert(batch));
          expect(out.map((o) => [o.sub, o.status])).to.deep.equal([
            ['shape-2', 'CREATED'], ['shape-3', 'CREATED'], ['shape-4', 'CREATED'], ['shape-5', 'CREATED'], ['thief-1', 'FAILED'], ['thief-2', 'FAILED'],
          ]);
          const again = h.keep(await client.bulkUpsert(users.slice(0, 3)));
          expect(again.map((o) => [o.sub, o.status])).to.deep.equal([['shape-0', 'UPDATED'], ['shape-1', 'UPDATED'], ['shape-2', 'UPDATED']]);
          expect(client.lastBulkShape).to.deep.equal({
            envelope: shape.bulkEnvelope, stateField: shape.bulkStateField, order: shape.bulkOrder === 'input' ? 'input' : 'other',
          });
        },
      });
    });
  }

  it('reads an empty search page from 204, and every user through bulkread until 204', async () => {
    await runScenario({
      async run(h) {
        const client = h.client();
        expect(await client.search({ from: 0, size: 10, terms: ['nobody'] })).to.deep.equal({ users: [], total: 0 });
        await client.bulkUpsert(h.users(25, 'br'));
        const seen: string[] = [];
        let after: unknown[] | undefined;
        for (let pages = 0; pages < 10; pages++) {
          const page = await client.bulkRead({ size: 10, ...(after ? { searchAfter: after } : {}) });
          seen.push(...page.users.map((u) => u.sub));
          if (page.next === undefined) break;
          after = page.next;
        }
        expect(seen).to.have.length(25);
        expect(new Set(seen).size).to.equal(25);
      },
    });
  });

  it('deletes by schedule when told, and shows why purge needs checking on a tenant without it', async () => {
    await runScenario({
      emulator: { tenant: { purge: false } },
      async run(h) {
        const scheduled = h.client({ compat: { saltEncoding: 'base64', totpImport: 'totp', search: 'graph', delete: 'schedule' } });
        const purging = h.client();
        await purging.bulkUpsert(h.users(2, 'del'));
        // No purge endpoint: 404, which reads as "already gone" although the user is still there.
        expect(await purging.purge('del-0')).to.equal('absent');
        expect(h.emu.getUser('del-0')).to.not.equal(undefined);
        expect(await scheduled.purge('del-0')).to.equal('deleted');
        expect(h.emu.getUser('del-0')).to.equal(undefined);
        expect(await scheduled.purge('del-0')).to.equal('absent');
      },
    });
  });

  it('puts the X-Ref-Number of a refused call into the outcome', async () => {
    await runScenario({
      async run(h) {
        const client = h.client();
        h.emu.addFaults([{ path: '/users-srv/user/bulk', status: 417, times: 1 }]);
        const [out] = h.keep(await client.bulkUpsert(h.users(1, 'ref')));
        expect(out?.status).to.equal('FAILED');
        expect(out?.message).to.match(/X-Ref-Number \d+-[0-9a-f-]{36}/);
      },
    });
  });

  for (const [totpImport, expected] of [['accept', 'kept'], ['ignore', 'dropped'], ['refuse', 'failed']] as const) {
    it(`meets a tenant that does ${totpImport} TOTP seeds`, async () => {
      await runScenario({
        emulator: { tenant: { totpImport } },
        async run(h) {
          const client = h.client();
          const [out] = h.keep(await client.bulkUpsert(h.users(1, 'totp')));
          const stored = h.emu.getUser('totp-0');
          const seen = out?.status === 'FAILED' ? 'failed' : stored?.mfa?.totp ? 'kept' : 'dropped';
          expect(seen).to.equal(expected);
          if (expected === 'failed') expect(out?.message).to.equal('unknown field mfa');
        },
      });
    });
  }

  it('treats a 200 whose body says success: false as a failure', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const body = req.url === '/token-srv/token'
          ? { access_token: 'x.eyJzY29wZXMiOltdfQ.x', token_type: 'Bearer', expires_in: 3600 }
          : { success: false, status: 404, error: { error: 'user not found' } };
        res.writeHead(200, { 'content-type': 'application/json', 'x-ref-number': '1700000000000-ref' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new CidaasClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, clientId: 'c', clientSecret: new Secret('s'),
      logger: new MemoryLogger(), retry: TEST_RETRY,
    });
    try {
      const err = await client.getUser('u-1').then(() => null, (e: unknown) => e as Error & { code?: string });
      expect(err?.code).to.equal('CIDAAS_REJECTED');
      expect(err?.message).to.match(/success: false \(status 404 in the body\).*X-Ref-Number 1700000000000-ref/);
    } finally {
      await client.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
