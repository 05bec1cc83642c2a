import { expect } from 'chai';
import { isPhpSerialized, optionValue, phpUnserialize, type PhpArray } from '../../../src/tenant/php-unserialize.js';
import { NSL_GOOGLE_SECRET, NSL_GOOGLE_SINGLE, NSL_OPTIONS, PHP_SCALARS } from '../../integration/tenant/nextend-options.js';

describe('PHP unserialize for WordPress options (#16)', () => {
  it('reads the settings array PHP serialized, with string lengths in UTF-8 bytes', () => {
    const v = phpUnserialize(NSL_GOOGLE_SINGLE) as PhpArray;
    expect(v.get('client_id')).to.equal('448812344321-q1w2e3r4t5y6u7i8o9p0.apps.googleusercontent.com');
    expect(v.get('client_secret')).to.equal(NSL_GOOGLE_SECRET);
    expect(v.get('tested')).to.equal(1);
    expect(v.get('login_label')).to.equal('Weiter mit <b>Google</b> – schnell & sicher');
    expect([...(v.get('register_roles') as PhpArray).entries()]).to.deep.equal([['0', 'default']]);
    expect((v.get('disabled_roles') as PhpArray).size).to.equal(0);
    expect(v.size).to.equal(24);
  });

  it('reads null, false, floats and negative ints', () => {
    expect([...(phpUnserialize(PHP_SCALARS) as PhpArray).entries()]).to.deep.equal([['d', 1.5], ['n', null], ['b', false], ['neg', -42]]);
  });

  it('unwraps the double serialization update_option(maybe_serialize(...)) leaves, and reads a single one too', () => {
    const raw = NSL_OPTIONS.get('nextend_social_login')!;
    expect(raw.startsWith('s:')).to.equal(true);
    const enabled = (optionValue(raw) as PhpArray).get('enabled') as PhpArray;
    expect([...enabled.entries()]).to.deep.equal([['0', 'google'], ['2', 'twitter'], ['3', 'facebook']]);
    expect((optionValue(NSL_GOOGLE_SINGLE) as PhpArray).get('client_secret')).to.equal(NSL_GOOGLE_SECRET);
    expect(optionValue('plain text option')).to.equal('plain text option');
    expect(isPhpSerialized('a:0:{}')).to.equal(true);
    expect(isPhpSerialized('s:not')).to.equal(false);
  });

  it('refuses what it does not understand rather than guessing: wrong lengths, objects, references, trailing bytes', () => {
    expect(() => phpUnserialize('s:5:"abc";')).to.throw(/expected `"`|runs past/);
    expect(() => phpUnserialize('s:4:"äb";')).to.throw(/expected/); // ä is 2 bytes: 3 bytes, not 4
    expect(phpUnserialize('s:3:"äb";')).to.equal('äb');
    expect(() => phpUnserialize('O:8:"stdClass":0:{}')).to.throw(/objects and references are refused/);
    expect(() => phpUnserialize('a:1:{i:0;r:1;}')).to.throw(/refused/);
    expect(() => phpUnserialize('i:1;x')).to.throw(/trailing bytes/);
    expect(() => phpUnserialize('a:2:{i:0;s:1:"a";}')).to.throw(/not a PHP serialize/);
    expect(() => phpUnserialize('b:2;')).to.throw(/bad boolean/);
    expect(() => phpUnserialize('a:1:{a:0:{}i:1;}')).to.throw(/array key/);
  });
});
