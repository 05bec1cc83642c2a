import { expect } from 'chai';
import { CustomAlgorithm } from '../../../../src/password/formats/custom-algorithm.js';
import type { CustomHashParams } from '../../../../src/password/formats/custom-hash-format.js';
import { CUSTOM_HASH_FORMATS, customHashFormat } from '../../../../src/password/formats/custom-hash-formats.js';
import { FIREBASE_README_PARAMS, HASH_VECTORS } from './custom-hash-vectors.js';

const params: CustomHashParams = {
  firebaseScrypt: {
    signerKey: Buffer.from(FIREBASE_README_PARAMS.signerKey, 'base64'),
    saltSeparator: Buffer.from(FIREBASE_README_PARAMS.saltSeparator, 'base64'),
    rounds: FIREBASE_README_PARAMS.rounds,
    memCost: FIREBASE_README_PARAMS.memCost,
  },
};

describe('CUSTOM_ hash formats: the platforms\' own test vectors (#11)', function () {
  // argon2id with 64 MiB and scrypt with N=16384 take seconds on a loaded 2-core machine.
  this.timeout(60_000);

  it('has one format per CUSTOM_ id, and a vector for every format', () => {
    expect(CUSTOM_HASH_FORMATS.map((f) => f.id)).to.have.members(Object.values(CustomAlgorithm));
    const covered = new Set(HASH_VECTORS.map((v) => v.id));
    expect([...covered]).to.have.members(Object.values(CustomAlgorithm));
  });

  for (const v of HASH_VECTORS) {
    it(`${v.id}: verifies ${v.source} and refuses a wrong password (${v.hash.slice(0, 16)}...)`, async () => {
      const format = customHashFormat(v.id)!;
      expect(format.problem(v.hash, v.salt, params)).to.equal(undefined);
      expect(await format.verify(v.password, v.hash, v.salt, params)).to.equal(true);
      expect(await format.verify(`${v.password}x`, v.hash, v.salt, params)).to.equal(false);
    });
  }
});

describe('CUSTOM_ hash formats: what they refuse to run', () => {
  const problem = (id: string, hash: string, salt?: string, p: CustomHashParams = params): string | undefined => customHashFormat(id)!.problem(hash, salt, p);

  it('refuses a truncated phpass hash and names only its prefix', () => {
    const reason = problem(CustomAlgorithm.phpass, '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L');
    expect(reason).to.match(/truncated/);
    expect(reason).not.to.include('IQRaTwmf');
  });

  it('refuses phpass and Drupal hashes asking for more than 2^20 rounds (a hash must not become a denial of service)', () => {
    expect(problem(CustomAlgorithm.phpass, '$P$K' + 'IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0')).to.match(/limit/);
    expect(problem(CustomAlgorithm.drupal7, '$S$K' + 'I7p94K2RG7Nq2OJp2/T55TfjT/K8UYdDVSUELOgCNbNoHU2sdtq')).to.match(/limit/);
  });

  it('refuses sha512-crypt above 1,000,000 rounds', () => {
    expect(problem(CustomAlgorithm.sha512Crypt, '$6$rounds=5000000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.')).to.match(/limit/);
  });

  it('refuses Magento argon2 limits above 256 MiB and scrypt above 256 MiB', () => {
    expect(problem(CustomAlgorithm.magento2, `${'ab'.repeat(32)}:salt:3_32_2_4294967296`)).to.match(/limits/);
    expect(problem(CustomAlgorithm.scrypt, 'scrypt$1048576$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==')).to.match(/256 MiB/);
  });

  it('refuses CUSTOM_FIREBASE_SCRYPT without the project parameters, naming the setting', () => {
    expect(problem(CustomAlgorithm.firebaseScrypt, 'lSrfV15cpx95', '42xEC+ixf3L2lw==', {})).to.match(/verifier\.firebaseScrypt/);
  });

  it('refuses a hash of another format under an id', () => {
    expect(problem(CustomAlgorithm.md5Crypt, '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1')).to.be.a('string');
    expect(problem(CustomAlgorithm.ldapSsha256, '{SSHA}0c0blFTXXNuAMHECS4uxrj3ZieMoWImr')).to.be.a('string');
    expect(problem(CustomAlgorithm.joomlaMd5, '67a1e09bb1f83f5007dc119c14d663aa:salt:0')).to.equal(undefined); // Joomla salts may hold ':'
    expect(problem(CustomAlgorithm.magento2, 'a334d9084fa0dc4ea5449afa047480e8:myPassswordHasSalt')).to.be.a('string');
  });
});
