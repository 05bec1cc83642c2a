import { expect } from 'chai';
import { noPasswordMarker } from '../../../src/password/no-password-marker.js';
import { recognizePasswordHash } from '../../../src/password/recognize-password-hash.js';

describe('no-password markers (#20)', () => {
  // django/contrib/auth/hashers.py: make_password(None) returns
  // UNUSABLE_PASSWORD_PREFIX ("!") + get_random_string(UNUSABLE_PASSWORD_SUFFIX_LENGTH = 40).
  const django = '!' + 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1eF3hJ5kL7n'.slice(0, 40);
  const cases: [string, string | null, string][] = [
    ['Django set_unusable_password()', django, 'django-unusable'],
    ['old Django "!"', '!', 'django-unusable'],
    ['shadow(5) "!!" (never set)', '!!', 'unix-locked'],
    ['shadow(5) "!" before a hash (passwd -l)', '!$6$saltsalt$' + 'x'.repeat(86), 'unix-locked'],
    ['shadow(5) "*"', '*', 'unix-no-login'],
    ['Solaris "*LK*"', '*LK*', 'unix-no-login'],
    ['Solaris "*NP*"', '*NP*', 'unix-no-login'],
    ['NULL', null, 'empty'],
    ['empty', '', 'empty'],
    ['blank (CHAR padding)', '   ', 'empty'],
  ];
  for (const [name, value, marker] of cases) {
    it(`knows ${name}`, () => {
      expect(noPasswordMarker(value)).to.equal(marker);
      if (value !== null) {
        const r = recognizePasswordHash(value);
        expect(r.ok).to.equal(false);
        expect(r.ok ? undefined : r.noPassword).to.equal(marker);
        if (value.length > 8) expect(r.ok ? '' : r.reason).not.to.include(value.slice(1, 20));
      }
    });
  }

  it('leaves real hashes alone: MySQL native "*" + 40 hex, bcrypt, Django PBKDF2', () => {
    expect(noPasswordMarker('*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29')).to.equal(undefined);
    expect(noPasswordMarker('$2y$10$abcdefghijklmnopqrstuu' + 'a'.repeat(31))).to.equal(undefined);
    expect(noPasswordMarker('pbkdf2_sha256$600000$salt$hash')).to.equal(undefined);
  });
});
