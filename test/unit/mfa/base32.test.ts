import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { base32Decode, base32Encode } from '../../../src/mfa/base32.js';

// RFC 4648 section 10, without the padding.
const VECTORS: [string, string][] = [
  ['', ''],
  ['f', 'MY'],
  ['fo', 'MZXQ'],
  ['foo', 'MZXW6'],
  ['foob', 'MZXW6YQ'],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI'],
];

describe('base32', () => {
  for (const [plain, encoded] of VECTORS) {
    it(`encodes and decodes the RFC 4648 vector "${plain}"`, () => {
      expect(base32Encode(Buffer.from(plain))).to.equal(encoded);
      expect(base32Decode(encoded).toString()).to.equal(plain);
    });
  }

  it('decodes padded and lowercase text', () => {
    expect(base32Decode('MZXW6YQ=').toString()).to.equal('foob');
    expect(base32Decode('mzxw6ytboi======').toString()).to.equal('foobar');
  });

  it('round-trips every length from 0 to 40 bytes', () => {
    for (let length = 0; length <= 40; length++) {
      const bytes = randomBytes(length);
      expect(base32Decode(base32Encode(bytes)), `length ${length}`).to.deep.equal(bytes);
    }
  });

  it('encodes a Uint8Array that is a view of a larger buffer by its own bytes', () => {
    const whole = Buffer.from('xfoobarx');
    expect(base32Encode(new Uint8Array(whole.buffer, whole.byteOffset + 1, 6))).to.equal('MZXW6YTBOI');
  });

  it('throws on characters outside the alphabet without quoting them', () => {
    for (const bad of ['MZXW6YT1', 'MZXW6YT0', 'MZXW6YT8', 'MZXW6YT!']) {
      expect(() => base32Decode(bad)).to.throw(/character 8 is outside the base32 alphabet/);
      try {
        base32Decode(bad);
      } catch (err) {
        expect((err as Error).message).not.to.include(bad.slice(0, 6));
      }
    }
  });

  it('throws on lengths no byte string encodes to', () => {
    for (const bad of ['M', 'MZX', 'MZXW6Y']) {
      expect(() => base32Decode(bad)).to.throw(/cannot encode whole bytes/);
    }
  });
});
