import { expect } from 'chai';
import { canonicalJson } from '../../../src/digest/canonical-json.js';

describe('the one canonical JSON of row digests and fingerprints (#17)', () => {
  it('sorts keys at every depth, so key order never changes a digest', () => {
    const a = { b: 1, a: [{ d: 2, c: null }], 'é': true, Z: 'z' };
    const b = { Z: 'z', 'é': true, a: [{ c: null, d: 2 }], b: 1 };
    expect(canonicalJson(a, 'null')).to.equal('{"Z":"z","a":[{"c":null,"d":2}],"b":1,"é":true}');
    expect(canonicalJson(b, 'null')).to.equal(canonicalJson(a, 'null'));
  });

  it('writes undefined as each digest has always stored it', () => {
    expect(canonicalJson({ x: undefined, y: [undefined] }, 'null')).to.equal('{"x":null,"y":[null]}');
    expect(canonicalJson({ x: undefined, y: [undefined] }, 'undefined')).to.equal('{"x":undefined,"y":[undefined]}');
  });
});
