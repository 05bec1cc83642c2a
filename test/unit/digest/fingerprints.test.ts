import { createHash, createHmac } from 'node:crypto';
import { expect } from 'chai';
import type { CidaasUser } from '../../../src/cidaas/cidaas-user.js';
import { canonicalJson } from '../../../src/digest/canonical-json.js';
import { FingerprintKey } from '../../../src/digest/fingerprint-key.js';
import { fingerprintUser, unkeyedFingerprints } from '../../../src/digest/fingerprints.js';
import { Secret } from '../../../src/secret.js';

const KEY_BYTES = Buffer.alloc(32, 7);
const key = FingerprintKey.fromStored(KEY_BYTES.toString('base64'));

/**
 * The field group texts as fingerprints were first defined and stored: each group's fields as an
 * object, through canonicalJson. fingerprintUser writes them without the objects (#15); a stored
 * fingerprint stays valid only while the texts stay exactly these.
 */
function textsByObjects(user: CidaasUser): Record<string, string> {
  const stable = (v: unknown): string => canonicalJson(v, 'null');
  const profile: Record<string, unknown> = {};
  const email: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(user)) {
    if (['sub', 'password_hash_info', 'mfa', 'mfa_enabled'].includes(k) || v === undefined) continue;
    (k === 'email' || k === 'email_verified' ? email : profile)[k] = v;
  }
  const texts: Record<string, string> = { profile: stable(profile) };
  if (Object.keys(email).length) texts['email'] = stable(email);
  const pw = user.password_hash_info;
  if (pw) texts['password'] = stable({ a: pw.algorithmTypeId, h: pw.passwordHash.reveal(), d: pw.hData ?? null });
  if (user.mfa_enabled !== undefined || user.mfa) {
    const t = user.mfa?.totp;
    texts['mfa'] = stable({ on: user.mfa_enabled ?? null, s: t ? t.secret.reveal() : null, a: t?.algorithm ?? null, d: t?.digits ?? null, p: t?.period ?? null });
  }
  return texts;
}

const USERS: CidaasUser[] = [
  { sub: 'legacy-1', email: 'anna@example.org', email_verified: true, given_name: 'Anna', family_name: 'Müller "the" \\ one', userStatus: 'VERIFIED' },
  { sub: 'legacy-2', username: 'b', mobile_number: '+4915100000', locale: undefined, customFields: { z: 1, a: ['x', 'y'], '10': true, é: 'ü' } } as CidaasUser,
  {
    sub: 'legacy-3', email: 'c@example.org',
    password_hash_info: { algorithmTypeId: 'PBKDF2_SHA256', passwordHash: new Secret('aGFzaA=='), hData: { salt: 'c2FsdA==', iterations: '27500' } },
    mfa_enabled: true, mfa: { totp: { secret: new Secret('JBSWY3DPEHPK3PXP'), algorithm: 'SHA1', digits: 6, period: 30 } },
  },
  { sub: 'legacy-4', email_verified: false, password_hash_info: { algorithmTypeId: 'BCRYPT', passwordHash: new Secret('$2b$10$abc') }, mfa_enabled: false, mfa: {} },
  { sub: 'legacy-5', mfa: {} } as CidaasUser,
  { sub: 'legacy-7', email: 'd@example.org', mfa_enabled: false, mfa: {} },
  { sub: 'legacy-6' } as CidaasUser,
];

describe('fingerprints: the texts every stored fingerprint digests do not change (#15)', () => {
  it('keyed: HMAC-SHA-256 under the store key of each group\'s canonical JSON, as first defined', () => {
    for (const user of USERS) {
      const expected = Object.fromEntries(Object.entries(textsByObjects(user))
        .map(([g, text]) => [g, createHmac('sha256', KEY_BYTES).update(text, 'utf8').digest('base64url')]));
      expect(fingerprintUser(user, key), user.sub).to.deep.equal(expected);
    }
  });

  it('gives the same texts whatever the order and the shapes of the users before (shapes are remembered)', () => {
    const shapes: CidaasUser[] = [
      { sub: 'a', email: 'a@example.org', given_name: 'A' },
      { sub: 'b', email: 'b@example.org' },
      { sub: 'c', email: 'c@example.org', given_name: 'C', family_name: 'Z' },
      { given_name: 'D', email: 'd@example.org', sub: 'd' },
      { sub: 'e', email: 'e@example.org', given_name: 'E' },
      { sub: 'f', given_name: 'F', email: 'f@example.org', locale: 'de' },
      Object.assign(Object.create({ inherited: 'x' }) as CidaasUser, { sub: 'g', email: 'g@example.org' }),
      ...Array.from({ length: 10 }, (_, i) => ({ sub: `h${i}`, [`x${i}`]: 'v', email: 'h@example.org' }) as unknown as CidaasUser),
      ...USERS, ...USERS,
    ];
    for (const user of [...shapes, ...shapes.reverse()]) {
      const expected = Object.fromEntries(Object.entries(textsByObjects(user))
        .map(([g, text]) => [g, createHmac('sha256', KEY_BYTES).update(text, 'utf8').digest('base64url')]));
      expect(fingerprintUser(user, key), user.sub).to.deep.equal(expected);
    }
  });

  it('gives users without MFA the same MFA fingerprint under one key, and another under another key', () => {
    const other = FingerprintKey.fromStored(Buffer.alloc(32, 8).toString('base64'));
    const off = (sub: string, k: FingerprintKey): string | undefined => fingerprintUser({ sub, mfa_enabled: false, mfa: {} }, k).mfa;
    expect(off('legacy-8', key)).to.equal(off('legacy-9', key));
    expect(off('legacy-8', other)).to.not.equal(off('legacy-8', key));
    expect(off('legacy-8', other)).to.equal(createHmac('sha256', Buffer.alloc(32, 8)).update('{"a":null,"d":null,"on":false,"p":null,"s":null}', 'utf8').digest('base64url'));
  });

  it('unkeyed: SHA-256 hex of the same texts (stores from before keyed fingerprints)', () => {
    for (const user of USERS) {
      const expected = Object.fromEntries(Object.entries(textsByObjects(user)).map(([g, text]) => [g, createHash('sha256').update(text, 'utf8').digest('hex')]));
      expect(unkeyedFingerprints(user), user.sub).to.deep.equal(expected);
    }
    expect(textsByObjects(USERS[2]!)['mfa']).to.equal('{"a":"SHA1","d":6,"on":true,"p":30,"s":"JBSWY3DPEHPK3PXP"}');
  });
});

describe('FingerprintKey.mac: HMAC-SHA-256 written out over preset buffers (#15)', () => {
  it('equals createHmac for any text: empty, non-ASCII, lone surrogates, longer than its buffer and short again', () => {
    const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 97 + 13) & 0xff));
    const k = FingerprintKey.fromStored(bytes.toString('base64'));
    const texts = ['', 'a', '{"email":"anna@example.org"}', 'Müller ✓ 😀', 'lone \ud800 surrogate \udfff', 'x'.repeat(300), 'é'.repeat(5000), 'short again'];
    for (const text of texts) {
      expect(k.mac(text), text.slice(0, 20)).to.equal(createHmac('sha256', bytes).update(text, 'utf8').digest('base64url'));
    }
  });
});
