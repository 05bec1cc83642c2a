import { expect } from 'chai';
import { base32Decode, base32Encode, totpCode, verifyTotp } from '../../tools/totp.js';

// RFC 6238 appendix B (SHA1, key "12345678901234567890"): the 6-digit code is the last
// 6 digits of the 8-digit value listed there.
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890'));
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('totp', () => {
  describe('base32', () => {
    // RFC 4648 section 10, without padding.
    const vectors: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [plain, encoded] of vectors) {
      it(`encodes ${JSON.stringify(plain)} as ${JSON.stringify(encoded)} and back`, () => {
        expect(base32Encode(Buffer.from(plain))).to.equal(encoded);
        expect(base32Decode(encoded).toString()).to.equal(plain);
      });
    }

    it('decodes lower case, padding and spaces', () => {
      expect(base32Decode('mzxw 6ytb oi======').toString()).to.equal('foobar');
    });

    it('throws on a character outside the alphabet', () => {
      expect(() => base32Decode('MZXW1')).to.throw('outside the base32 alphabet');
    });
  });

  describe('totpCode', () => {
    for (const [seconds, code8] of RFC_VECTORS) {
      it(`gives the RFC 6238 code at T=${seconds}`, () => {
        expect(totpCode(RFC_SECRET, seconds * 1000)).to.equal(code8.slice(2));
      });
    }
  });

  describe('verifyTotp', () => {
    const at = 1111111111_000;
    it('accepts the code of the current step and one step either side', () => {
      for (const delta of [-30_000, 0, 30_000]) expect(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, at + delta), at)).to.equal(true);
    });

    it('refuses the code of two steps away', () => {
      expect(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, at - 60_000), at)).to.equal(false);
    });

    it('refuses anything but six digits', () => {
      expect(verifyTotp(RFC_SECRET, `${totpCode(RFC_SECRET, at)}0`, at)).to.equal(false);
      expect(verifyTotp(RFC_SECRET, 'abcdef', at)).to.equal(false);
    });
  });
});
