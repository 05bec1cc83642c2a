import { expect } from 'chai';
import type { CidaasUser } from '../../../src/cidaas/cidaas-user.js';
import { finalEntity } from '../../../src/dispatch/final-entity.js';
import { planPush } from '../../../src/dispatch/push-plan.js';
import { FINGERPRINT_KEY_META } from '../../../src/digest/fingerprint-key.js';
import { fingerprintUser, unkeyedFingerprints } from '../../../src/digest/fingerprints.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { Secret } from '../../../src/secret.js';
import { openStateStore } from '../../../src/state/open-state-store.js';
import type { StateStore } from '../../../src/state/state-store.js';
import { compareUser } from '../../../src/verify/compare-user.js';
import type { OwnedFields } from '../../../src/verify/owned-fields.js';
import { at, rejection } from '../fixtures/outcomes.js';
import { storeTargets } from '../fixtures/state-store-targets.js';

const KEY_MIGRATION = 'AddFingerprintKey1796169600000';
const OWNED: OwnedFields = { fields: ['email', 'given_name'], customFields: [], password: true, mfa: true };
const BCRYPT = { algorithmTypeId: 'BCRYPT_10', passwordHash: new Secret('$2y$10$' + 'b'.repeat(53)) };

function user(key: string, email: string, given = 'Ada'): { user: CidaasUser; groups: ReturnType<typeof finalEntity>['groups'] } {
  const f = finalEntity({ sub: `legacy-${key}`, email, email_verified: true, given_name: given, password_hash_info: BCRYPT } as never, OWNED);
  return { user: f.entity as unknown as CidaasUser, groups: f.groups };
}

function openLine(log: MemoryLogger): Record<string, unknown> | undefined {
  return log.lines.find((l) => l.message === 'state store open')?.fields;
}

for (const target of storeTargets) {
  describe(`keyed fingerprints on ${target.name} (#13)`, function () {
    let place: { url: string; drop(): Promise<void> };
    const opened: StateStore[] = [];

    async function open(logger = new MemoryLogger()): Promise<StateStore> {
      const s = await openStateStore(place.url, { logger });
      opened.push(s);
      return s;
    }

    beforeEach(async function () {
      place = await target.create();
    });

    afterEach(async function () {
      for (const s of opened.splice(0)) await s.close();
      await place.drop();
    });

    it('upgrades a store with unkeyed fingerprints: an unchanged user is not pushed again, a changed one is, each row keeps its scheme until rewritten', async function () {
      // What an older cidaas-sync left: the first migration only, no key, unkeyed SHA-256 hex fingerprints.
      const old = await open();
      const alice = user('1', 'alice@example.com');
      const bob = user('2', 'bob@example.com');
      await old.recordOutcomes([
        { kind: 'pushed', key: '1', sub: alice.user.sub, fingerprints: unkeyedFingerprints(alice.user), at: at(1) },
        { kind: 'pushed', key: '2', sub: bob.user.sub, fingerprints: unkeyedFingerprints(bob.user), at: at(2) },
      ], 'pos-1');
      await old.close();
      await target.query(place.url, `DELETE FROM cidaas_sync_meta WHERE name = '${FINGERPRINT_KEY_META}'`);
      await target.query(place.url, `DELETE FROM cidaas_sync_migrations WHERE name = '${KEY_MIGRATION}'`);

      const log = new MemoryLogger();
      const store = await open(log);
      expect(openLine(log)?.migrationsRun).to.deep.equal([KEY_MIGRATION]);
      const key = store.fingerprintKey();
      const states = await store.getUserStates(['1', '2']);

      const same = planPush(alice.user, alice.groups, states.get('1'), { onRevoked: 'scramble', fingerprintKey: key });
      expect(same.changed).to.deep.equal([]);
      const changedBob = user('2', 'bob@example.org');
      const moved = planPush(changedBob.user, changedBob.groups, states.get('2'), { onRevoked: 'scramble', fingerprintKey: key });
      expect(moved.changed).to.deep.equal(['email']);
      // The password did not change: not re-sent, and verify agrees with the unkeyed row.
      const record = { sub: alice.user.sub, email: 'alice@example.com', email_verified: true, given_name: 'Ada', has_password: true };
      expect(compareUser(same.expected, record, states.get('1'), { owned: OWNED, clockSkewMs: 0 }, same.fingerprints, same.groups)).to.deep.equal([]);

      await store.recordOutcomes([{ kind: 'pushed', key: '2', sub: changedBob.user.sub, fingerprints: moved.fingerprints, at: at(3) }], 'pos-2');
      await store.close();

      // After a restart the key is the same: nothing is pushed again, the rewritten row is keyed, the other still unkeyed.
      const again = await open();
      expect(again.fingerprintKey().mac('x')).to.equal(key.mac('x'));
      const after = await again.getUserStates(['1', '2']);
      expect(after.get('1')?.fingerprints.email).to.equal(unkeyedFingerprints(alice.user).email);
      expect(after.get('2')?.fingerprints.email).to.equal(fingerprintUser(changedBob.user, key).email).and.to.have.length(43);
      for (const [k, u] of [['1', alice], ['2', changedBob]] as const) {
        expect(planPush(u.user, u.groups, after.get(k), { onRevoked: 'scramble', fingerprintKey: again.fingerprintKey() }).changed, k).to.deep.equal([]);
      }
      // A change to the user still on the old scheme is seen too.
      const aliceMoved = user('1', 'alice@example.com', 'Alice');
      expect(planPush(aliceMoved.user, aliceMoved.groups, after.get('1'), { onRevoked: 'scramble', fingerprintKey: again.fingerprintKey() }).changed).to.deep.equal(['profile']);
    });

    it('keeps the user-state rows from confirming a list of candidate addresses, and never hands the key out as metadata', async function () {
      const store = await open();
      const present = ['carol@example.com', 'dave@example.com'];
      await store.recordOutcomes(present.map((email, i) => {
        const u = user(String(i), email);
        return { kind: 'pushed' as const, key: String(i), sub: u.user.sub, fingerprints: fingerprintUser(u.user, store.fingerprintKey()), at: at(i) };
      }), 'pos-1');

      const rows = await target.query(place.url, 'SELECT fp_profile, fp_email, fp_password, fp_mfa FROM cidaas_sync_user_state');
      const stored = new Set(rows.flatMap((r) => Object.values(r).filter((v): v is string => typeof v === 'string')));
      expect(rows).to.have.length(2);
      const candidates = ['alice@example.com', ...present, 'eve@example.com'];
      // An attacker with the rows tries every candidate, verified or not, in the unkeyed scheme: no hit.
      for (const email of candidates) {
        for (const verified of [true, false, undefined]) {
          const probe = unkeyedFingerprints({ sub: 'x', email, email_verified: verified } as CidaasUser).email!;
          expect(stored.has(probe), email).to.equal(false);
        }
      }
      // With the store's key the same probe does confirm: the test above can fail.
      const keyed = fingerprintUser({ sub: 'x', email: present[0], email_verified: true } as CidaasUser, store.fingerprintKey()).email!;
      expect(stored.has(keyed)).to.equal(true);

      expect((await rejection(store.getMeta(FINGERPRINT_KEY_META))).code).to.equal('STATE_STORE');
      expect((await rejection(store.setMeta(FINGERPRINT_KEY_META, 'A'.repeat(44)))).code).to.equal('STATE_STORE');
      expect(String(store.fingerprintKey())).to.equal('[redacted]');
      expect(JSON.stringify({ k: store.fingerprintKey() })).to.equal('{"k":"[redacted]"}');
    });

    it('gives two stores different keys, so their fingerprints of the same user differ', async function () {
      const other = await target.create();
      try {
        const a = await open();
        const b = await openStateStore(other.url, { logger: new MemoryLogger() });
        opened.push(b);
        const u = user('1', 'frank@example.com').user;
        expect(fingerprintUser(u, a.fingerprintKey()).email).to.not.equal(fingerprintUser(u, b.fingerprintKey()).email);
        await b.close();
      } finally {
        await other.drop();
      }
    });
  });
}
