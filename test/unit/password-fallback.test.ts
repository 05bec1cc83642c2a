import { expect } from 'chai';
import type { LegacyRows } from '../../src/legacy-reader.js';
import { UserMapper } from '../../src/user-mapper.js';
import { issueAt, minimalConfig, parse, rejection } from './config/config-test-helpers.js';

// Symfony's MessageDigestPasswordHasher (sha512, 5000, base64) of "password": test/unit/password/formats/custom-hash-vectors.ts.
const SHA512 = { salt: 'sq7x6gxsl1wcg0sg4ckcc0wg0s8kko8', hash: 'dre2NmR0unP+1WRKqrYjg6gLKpfq4iFQtNdzyg8fD+HWXna1ehhxAjTUBMSFeNGhkA878ZkSD5INz9Wkd5Rhgg==' };
// php.net password_verify() example: bcrypt of "rasmuslerdorf".
const BCRYPT = '$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq';

function fosConfig(password: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const c = minimalConfig();
  c['users'] = { table: 'fos_user', key: 'id', fields: { email: 'email' } };
  c['password'] = password;
  return c;
}

function row(hash: string, salt: string | null): LegacyRows {
  return { key: '1', user: { id: '1', email: 'ann@example.com', password: hash, salt }, password: [], mfa: [], attributes: [] };
}

describe('password.fallback: two generations of hashes in one table (Symfony migrate_from)', () => {
  it('pushes what auto recognises as itself, and the rest as the fallback with its salt', async () => {
    const mapper = new UserMapper(await parse(fosConfig({ hash: 'password', salt: 'salt', algorithm: 'auto', fallback: 'CUSTOM_SYMFONY_SHA512' })));
    const upgraded = await mapper.map(row(BCRYPT, null));
    expect(upgraded.kind === 'upsert' && upgraded.user.password_hash_info?.algorithmTypeId).to.equal('BCRYPT_7');
    const old = await mapper.map(row(SHA512.hash, SHA512.salt));
    expect(old.kind).to.equal('upsert');
    if (old.kind === 'upsert') {
      expect(old.user.password_hash_info?.algorithmTypeId).to.equal('CUSTOM_SYMFONY_SHA512');
      expect(old.user.password_hash_info?.hData).to.deep.equal({ salt: SHA512.salt });
    }
  });

  it('makes a hash neither reads a dead letter whose reason names both, never the hash', async () => {
    const mapper = new UserMapper(await parse(fosConfig({ hash: 'password', salt: 'salt', algorithm: 'auto', fallback: 'CUSTOM_SYMFONY_SHA512' })));
    const bad = await mapper.map(row('zz-unknown-format-0123456789', 'x'));
    expect(bad.kind).to.equal('invalid');
    expect(bad.kind === 'invalid' && bad.reason).to.match(/not a format `auto` recognises.*CUSTOM_SYMFONY_SHA512.*password\.fallback/s).and.not.include('0123456789');
  });

  it('refuses fallback beside a fixed algorithm, saying why', async () => {
    const err = await rejection(fosConfig({ hash: 'password', algorithm: 'BCRYPT_10', fallback: 'CUSTOM_SYMFONY_SHA512' }));
    expect(issueAt(err, 'password.fallback')).to.match(/algorithm: auto/);
  });
});
