import { pbkdf2Sync } from 'node:crypto';
import { expect } from 'chai';
import type { RecognizedHash } from '../../../src/password/password-hash-info.js';
import { recognizePasswordHash } from '../../../src/password/recognize-password-hash.js';

// dotnet/aspnetcore src/Identity/test/Identity.Test/PasswordHasherTest.cs: every hash is of "my password".
const VECTORS = [
  { hash: 'AAABAgMEBQYHCAkKCwwNDg+ukCEMDf0yyQ29NYubggHIVY0sdEUfdyeM+E1LtH1uJg==', id: 'PBKDF2_SHA1', iterations: '1000', what: 'HashPassword_Version2' },
  { hash: 'ANXrDknc7fGPpigibZXXZFMX4aoqz44JveK6jQuwY3eH/UyPhvr5xTPeGYEckLxz9A==', id: 'PBKDF2_SHA1', iterations: '1000', what: 'v2, SHA1, 1000 iterations' },
  { hash: 'AQAAAAEAACcQAAAAEAABAgMEBQYHCAkKCwwNDg+yWU7rLgUwPZb1Itsmra7cbxw2EFpwpVFIEtP+JIuUEw==', id: 'PBKDF2_SHA256', iterations: '10000', what: 'HashPassword_Version3' },
  { hash: 'AQAAAAEAA9CQAAAAIESkQuj2Du8Y+kbc5lcN/W/3NiAZFEm11P27nrSN5/tId+bR1SwV8CO1Jd72r4C08OLvplNlCDc3oQZ8efcW+jQ=', id: 'PBKDF2_SHA256', iterations: '250000', what: 'v3, SHA256, 250000 iterations, 256-bit salt' },
  { hash: 'AQAAAAAAAAD6AAAAEAhftMyfTJylOlZT+eEotFXd1elee8ih5WsjXaR3PA9M', id: 'PBKDF2_SHA1', iterations: '250', what: 'v3, SHA1, 250 iterations, 128-bit subkey' },
  { hash: 'AQAAAAIAAAAyAAAAEOMwvh3+FZxqkdMBz2ekgGhwQ4B6pZWND6zgESBuWiHw', id: 'PBKDF2_SHA512', iterations: '50', what: 'v3, SHA512, 50 iterations, 128-bit subkey' },
  { hash: 'AQAAAAIAAAD6AAAAIJbVi5wbMR+htSfFp8fTw8N8GOS/Sje+S/4YZcgBfU7EQuqv4OkVYmc4VJl9AGZzmRTxSkP7LtVi9IWyUxX8IAAfZ8v+ZfhjCcudtC1YERSqE1OEdXLW9VukPuJWBBjLuw==', id: 'PBKDF2_SHA512', iterations: '250', what: 'v3, SHA512, 250 iterations, 512-bit subkey' },
] as const;

const DIGEST = { PBKDF2_SHA1: 'sha1', PBKDF2_SHA256: 'sha256', PBKDF2_SHA512: 'sha512' } as const;

function info(r: RecognizedHash): { algorithmTypeId: string; passwordHash: string; hData?: { salt?: string; iterations?: string } } {
  if (!r.ok) throw new Error(r.reason);
  return r.info;
}

describe('ASP.NET Identity: the aspnetcore PasswordHasherTest vectors go to cidaas PBKDF2 (#11)', () => {
  for (const v of VECTORS) {
    it(`${v.what} -> ${v.id}, and the pushed salt, iterations and key verify "my password"`, () => {
      const pushed = info(recognizePasswordHash(v.hash));
      expect(pushed.algorithmTypeId).to.equal(v.id);
      expect(pushed.hData?.iterations).to.equal(v.iterations);
      const key = Buffer.from(pushed.passwordHash, 'base64');
      const derive = (password: string): Buffer => pbkdf2Sync(password, Buffer.from(pushed.hData!.salt!, 'base64'), Number(v.iterations), key.length, DIGEST[v.id]);
      expect(derive('my password').equals(key)).to.equal(true);
      expect(derive('my password!').equals(key)).to.equal(false);
    });
  }
});
