import { expect } from 'chai';
import { explicitPasswordHash } from '../../../../src/password/explicit-password-hash.js';
import { CustomAlgorithm } from '../../../../src/password/formats/custom-algorithm.js';
import { customHashFormat } from '../../../../src/password/formats/custom-hash-formats.js';
import type { RecognizedHash } from '../../../../src/password/password-hash-info.js';
import { recognizePasswordHash } from '../../../../src/password/recognize-password-hash.js';
import { HASH_VECTORS } from './custom-hash-vectors.js';

function ok(r: RecognizedHash): { algorithmTypeId: string; passwordHash: string; hData?: { salt?: string } } {
  if (!r.ok) throw new Error(`expected recognition, got: ${r.reason}`);
  return r.info;
}

// Vectors whose stored form says what it is (the salted hex digests and Firebase take an explicit algorithm).
const SELF_DESCRIBING = new Set<string>([
  CustomAlgorithm.phpass, CustomAlgorithm.drupal7, CustomAlgorithm.md5Crypt, CustomAlgorithm.sha256Crypt, CustomAlgorithm.sha512Crypt,
  CustomAlgorithm.ldapSha, CustomAlgorithm.ldapSsha, CustomAlgorithm.ldapSsha256, CustomAlgorithm.ldapSsha512,
  CustomAlgorithm.djangoBcryptSha256, CustomAlgorithm.scrypt, CustomAlgorithm.joomlaMd5, CustomAlgorithm.magento2,
]);

describe('algorithm: auto for the formats only the verification service checks (#11)', function () {
  this.timeout(60_000);

  for (const v of HASH_VECTORS.filter((x) => SELF_DESCRIBING.has(x.id))) {
    it(`recognises ${v.source} (${v.hash.slice(0, 14)}...) as ${v.id}, and the verifier checks what is pushed`, async () => {
      const info = ok(recognizePasswordHash(v.hash));
      expect(info.algorithmTypeId).to.equal(v.id);
      expect(await customHashFormat(v.id)!.verify(v.password, info.passwordHash, info.hData?.salt, {})).to.equal(true);
    });
  }

  it("splits Django's md5$salt$hex and sha1$salt$hex into the hex digest and hData.salt (text)", () => {
    // django tests/auth_tests/test_hashers.py test_md5 / test_sha1.
    expect(ok(recognizePasswordHash('md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3'))).to.deep.equal({
      algorithmTypeId: 'CUSTOM_MD5_SALT_PASSWORD', passwordHash: '3f86d0d3d465b7b458c231bf3555c0e3', hData: { salt: 'seasalt' },
    });
    expect(ok(recognizePasswordHash('sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc8'))).to.deep.equal({
      algorithmTypeId: 'CUSTOM_SHA1_SALT_PASSWORD', passwordHash: 'cff36ea83f5706ce9aa7454e63e431fc726b2dc8', hData: { salt: 'seasalt' },
    });
  });

  it("pushes Django's unsalted sha1$$hex as cidaas's own SHA1", () => {
    // django test_unsalted_sha1: "lètmein".
    expect(ok(recognizePasswordHash('sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b'))).to.deep.equal({ algorithmTypeId: 'SHA1', passwordHash: '6d138ca3ae545631b3abd71a4f076ce759c5700b' });
  });

  it("pushes Django's argon2$ natively as ARGON2 (cidaas checks PHC strings itself)", () => {
    expect(ok(recognizePasswordHash('argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw'))).to.deep.equal({
      algorithmTypeId: 'ARGON2', passwordHash: '$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
    });
  });

  it('normalises a lower-case LDAP scheme name', () => {
    expect(ok(recognizePasswordHash('{ssha}0c0blFTXXNuAMHECS4uxrj3ZieMoWImr')).passwordHash).to.equal('{SSHA}0c0blFTXXNuAMHECS4uxrj3ZieMoWImr');
  });

  it('refuses a recognised hash asking for more work than the verifier runs, naming only the prefix', () => {
    const r = recognizePasswordHash('$P$K' + 'IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0');
    expect(r.ok).to.equal(false);
    expect(r.ok ? '' : r.reason).to.include('"$P$"').and.include('limit').and.not.include('IQRaTwmf');
  });

  it('checks an explicit CUSTOM_ id this product knows against its format, and passes unknown CUSTOM_ names through', () => {
    expect(explicitPasswordHash('$1$ec6XvcoW$ghEtNK2U1MC5l.Dwgi3020', 'CUSTOM_PHPASS').ok).to.equal(false);
    expect(ok(explicitPasswordHash('a9993e364706816aba3e25717850c26c9cd0d89d', 'CUSTOM_SHA1_PASSWORD_SALT', { salt: 'bc' }))).to.deep.equal({
      algorithmTypeId: 'CUSTOM_SHA1_PASSWORD_SALT', passwordHash: 'a9993e364706816aba3e25717850c26c9cd0d89d', hData: { salt: 'bc' },
    });
    expect(ok(explicitPasswordHash('lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==', 'CUSTOM_FIREBASE_SCRYPT', { salt: '42xEC+ixf3L2lw==' })).algorithmTypeId).to.equal('CUSTOM_FIREBASE_SCRYPT');
    expect(ok(explicitPasswordHash('anything', 'CUSTOM_MY_OWN')).algorithmTypeId).to.equal('CUSTOM_MY_OWN');
  });
});
