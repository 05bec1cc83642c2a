import { expect } from 'chai';
import { decodeAb64, decodeBase64, decodeHex, toBase64 } from '../../../src/password/hash-bytes.js';

describe('hash-bytes decoders', () => {
  it('decodes standard base64 with or without padding', () => {
    expect(decodeBase64('AQID')).to.deep.equal(Buffer.from([1, 2, 3]));
    expect(decodeBase64('AQI=')).to.deep.equal(Buffer.from([1, 2]));
    expect(decodeBase64('AQI')).to.deep.equal(Buffer.from([1, 2]));
  });

  it('refuses what Node would silently skip or misread', () => {
    for (const bad of ['AQ-D', 'AQ_D', 'AQ D', 'A', 'AQI==', 'AQ=I', 'AQJ=']) {
      expect(decodeBase64(bad), bad).to.equal(undefined);
    }
  });

  it("decodes passlib's adapted base64 and refuses '+'", () => {
    expect(decodeAb64('.-8')).to.equal(undefined);
    expect(decodeAb64('.-8'.replace('-', '/'))).to.deep.equal(Buffer.from('+/8', 'base64'));
    expect(decodeAb64('a+b')).to.equal(undefined);
  });

  it('decodes hex of even length in either case', () => {
    expect(decodeHex('0aFF')).to.deep.equal(Buffer.from([10, 255]));
    expect(decodeHex('abc')).to.equal(undefined);
    expect(decodeHex('zz')).to.equal(undefined);
  });

  it('encodes a view of a larger buffer by its own bytes only', () => {
    const whole = Buffer.from([9, 1, 2, 3, 9]);
    expect(toBase64(whole.subarray(1, 4))).to.equal('AQID');
  });
});
