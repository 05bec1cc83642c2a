import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { base32Encode } from '../../../src/mfa/base32.js';
import { type NormalizedTotpSecret, normalizeTotpSecret } from '../../../src/mfa/normalize-totp-secret.js';

// RFC 6238 appendix B: the SHA-1 test key is the ASCII "12345678901234567890".
const RFC6238_KEY = Buffer.from('12345678901234567890');
const RFC6238_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

function base32(result: NormalizedTotpSecret): string {
  if (!result.ok) throw new Error(`expected a secret, got: ${result.reason}`);
  return result.base32;
}

function reason(result: NormalizedTotpSecret): string {
  if (result.ok) throw new Error('expected a refusal, got a secret');
  return result.reason;
}

describe('normalizeTotpSecret', () => {
  describe('base32 text', () => {
    it('keeps a canonical secret as it is', () => {
      expect(base32(normalizeTotpSecret(RFC6238_BASE32, 'base32'))).to.equal(RFC6238_BASE32);
    });

    it('uppercases a lowercase secret', () => {
      expect(base32(normalizeTotpSecret(RFC6238_BASE32.toLowerCase(), 'base32'))).to.equal(RFC6238_BASE32);
    });

    it('drops the spaces and dashes apps show keys with', () => {
      expect(base32(normalizeTotpSecret('gezd gnbv gy3t-qojq GEZD GNBV GY3T QOJQ\n', 'base32'))).to.equal(RFC6238_BASE32);
    });

    it('drops padding', () => {
      const key = Buffer.alloc(16, 0xab);
      expect(base32(normalizeTotpSecret(`${base32Encode(key)}======`, 'base32'))).to.equal(base32Encode(key));
    });

    it('accepts exactly 80 bits', () => {
      expect(base32(normalizeTotpSecret('JBSWY3DPEHPK3PXP', 'base32'))).to.equal('JBSWY3DPEHPK3PXP');
    });

    it('refuses fewer than 80 bits', () => {
      expect(reason(normalizeTotpSecret('JBSWY3DP', 'base32'))).to.match(/40 bits, fewer than the 80/);
    });

    for (const [name, bad] of [
      ['the digit 1', 'GEZDGNBVGY3TQOJ1'],
      ['the digit 0', 'GEZDGNBVGY3TQOJ0'],
      ['the digit 8', 'GEZDGNBVGY3TQOJ8'],
      ['an underscore', 'GEZDGNBVGY3TQOJ_'],
    ]) {
      it(`refuses ${name} naming the position, not the character`, () => {
        const r = reason(normalizeTotpSecret(bad as string, 'base32'));
        expect(r).to.include('character 16 is outside the base32 alphabet');
        expect(r).not.to.include((bad as string).slice(-2));
      });
    }

    it('refuses padding in the middle', () => {
      expect(reason(normalizeTotpSecret('GEZDGNBV=GY3TQOJQ', 'base32'))).to.match(/padding before its end/);
    });

    it('refuses a length no key encodes to', () => {
      expect(reason(normalizeTotpSecret('GEZDGNBVGY3TQOJQG', 'base32'))).to.match(/17 characters/);
    });

    it('refuses a django-otp hex key read with the wrong mfa.encoding', () => {
      expect(reason(normalizeTotpSecret(RFC6238_KEY.toString('hex'), 'base32'))).to.match(/outside the base32 alphabet/);
    });
  });

  describe('hex text', () => {
    it("turns django-otp's 40 hex digits into base32 of the 20 bytes", () => {
      expect(base32(normalizeTotpSecret(RFC6238_KEY.toString('hex'), 'hex'))).to.equal(RFC6238_BASE32);
    });

    it('accepts uppercase and spaced hex', () => {
      const spaced = RFC6238_KEY.toString('hex').toUpperCase().replace(/(.{8})/g, '$1 ');
      expect(base32(normalizeTotpSecret(spaced, 'hex'))).to.equal(RFC6238_BASE32);
    });

    it('refuses an odd number of digits', () => {
      expect(reason(normalizeTotpSecret('abc', 'hex'))).to.match(/odd number of hex digits \(3\)/);
    });

    it('refuses a non-hex character naming its position', () => {
      const r = reason(normalizeTotpSecret(`${RFC6238_KEY.toString('hex').slice(0, 38)}zz`, 'hex'));
      expect(r).to.include('character 39 is outside 0-9, a-f');
    });

    it('refuses fewer than 10 bytes', () => {
      expect(reason(normalizeTotpSecret('00112233445566778899'.slice(0, 18), 'hex'))).to.match(/72 bits/);
    });
  });

  describe('bytes', () => {
    it('encodes a Buffer from a bytea/BLOB column whatever the encoding says', () => {
      expect(base32(normalizeTotpSecret(RFC6238_KEY, 'hex'))).to.equal(RFC6238_BASE32);
      expect(base32(normalizeTotpSecret(RFC6238_KEY, 'base32'))).to.equal(RFC6238_BASE32);
    });

    it('encodes a plain Uint8Array', () => {
      expect(base32(normalizeTotpSecret(new Uint8Array(RFC6238_KEY), 'base32'))).to.equal(RFC6238_BASE32);
    });

    it('refuses fewer than 10 bytes', () => {
      expect(reason(normalizeTotpSecret(Buffer.alloc(9), 'base32'))).to.match(/72 bits/);
    });

    it('refuses more than 1024 bytes', () => {
      expect(reason(normalizeTotpSecret(Buffer.alloc(1025), 'base32'))).to.match(/1025 bytes/);
    });
  });

  describe('missing or odd values', () => {
    for (const [name, value] of [
      ['null', null],
      ['undefined', undefined],
      ['an empty string', ''],
      ['only spaces', '   '],
      ['an empty Buffer', Buffer.alloc(0)],
    ] as [string, unknown][]) {
      it(`refuses ${name} as no secret`, () => {
        expect(reason(normalizeTotpSecret(value, 'base32'))).to.match(/^no TOTP secret/);
      });
    }

    it('refuses a number naming its type', () => {
      expect(reason(normalizeTotpSecret(1234567890, 'hex'))).to.equal('TOTP secret must be text or bytes, got number');
    });
  });

  it('never puts the secret or a piece of it in a reason', () => {
    const secrets: [unknown, 'base32' | 'hex'][] = [];
    for (let i = 0; i < 20; i++) {
      const key = base32Encode(randomBytes(20));
      secrets.push([key.slice(0, 31) + '1', 'base32']);
      secrets.push([key.slice(0, 8), 'base32']);
      secrets.push([key + 'A', 'base32']);
      secrets.push([key.slice(0, 10) + '=' + key.slice(10), 'base32']);
      secrets.push([randomBytes(20).toString('hex') + 'q', 'hex']);
      secrets.push([randomBytes(20).toString('hex') + 'a', 'hex']);
    }
    for (const [value, encoding] of secrets) {
      const r = reason(normalizeTotpSecret(value, encoding));
      const text = String(value);
      for (let start = 0; start + 6 <= text.length; start++) {
        expect(r, `reason for a ${encoding} secret`).not.to.include(text.slice(start, start + 6));
      }
    }
  });
});
