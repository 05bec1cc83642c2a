import { expect } from 'chai';
import type { CidaasUserDraft, LegacyUser } from '../../config/mapping-types.js';
import type { LegacyRows } from '../../src/legacy-reader.js';
import { UserMapper } from '../../src/user-mapper.js';
import { minimalConfig, parse } from './config/config-test-helpers.js';

// Django's documented example hash (docs.djangoproject.com, "Password management in Django").
const DJANGO = 'pbkdf2_sha256$600000$salt$' + Buffer.alloc(32, 7).toString('base64');

async function mapperWith(mapping?: (e: CidaasUserDraft, l: LegacyUser) => unknown, timeoutMs?: number): Promise<UserMapper> {
  const c = minimalConfig();
  c['users'] = { table: 'auth_user', key: 'id', fields: { email: 'email', username: 'username' } };
  c['password'] = { hash: 'password' };
  return new UserMapper(await parse(c), mapping as never, timeoutMs);
}

function rows(password: string | null, key = '1'): LegacyRows {
  return { key, user: { id: key, email: `u${key}@example.com`, username: `u${key}`, password }, password: [], mfa: [], attributes: [] };
}

describe('the mapping module decides before anything is dead-lettered (#20)', () => {
  it('maps a Django unusable password to a user without one, not a dead letter', async () => {
    const m = await (await mapperWith()).map(rows('!' + 'x'.repeat(40)));
    expect(m.kind).to.equal('upsert');
    if (m.kind === 'upsert') {
      expect(m.user.password_hash_info).to.equal(undefined);
      expect(m.groups.password).to.equal('cleared');
    }
  });

  it('hands the module the recognition result: recognised, none, or the reason', async () => {
    const seen: unknown[] = [];
    const mapper = await mapperWith((e, l) => { seen.push(l.passwordRecognition); return e; });
    await mapper.map(rows(DJANGO));
    await mapper.map(rows(null));
    await mapper.map(rows('zz-unknown-format-0123456789'));
    expect(seen[0]).to.deep.equal({ status: 'recognized', algorithmTypeId: 'PBKDF2_SHA256' });
    expect(seen[1]).to.deep.equal({ status: 'none', marker: 'empty' });
    expect(seen[2]).to.have.property('status', 'unrecognized');
  });

  it('lets the module settle an unrecognised hash: CUSTOM_ pushes it, null pushes no password, silence is a dead letter', async () => {
    const unknown = rows('zz-unknown-format-0123456789');
    const custom = await (await mapperWith((e, l) => ({ ...e, password_hash_info: { algorithmTypeId: 'CUSTOM_LEGACY', passwordHash: String(l.user['password']) } }))).map(unknown);
    expect(custom.kind).to.equal('upsert');
    const none = await (await mapperWith((e) => ({ ...e, password_hash_info: null }))).map(unknown);
    expect(none.kind === 'upsert' && none.groups.password).to.equal('cleared');
    const silent = await (await mapperWith((e) => e)).map(unknown);
    expect(silent.kind).to.equal('invalid');
    expect(silent.kind === 'invalid' && silent.reason).to.match(/unrecognised.*null/s);
  });

  it('makes a module that hangs a dead letter with the timeout as reason', async () => {
    const m = await (await mapperWith(() => new Promise(() => undefined), 50)).map(rows(DJANGO));
    expect(m.kind).to.equal('invalid');
    expect(m.kind === 'invalid' && m.reason).to.include('did not answer within 50 ms');
  });

  it('makes a value that cannot be serialised, a field too long or a sub too long a dead letter, naming no value', async () => {
    const big = await (await mapperWith((e) => ({ ...e, customFields: { n: 10n } }))).map(rows(DJANGO));
    expect(big.kind === 'invalid' && big.reason).to.include('cannot be serialised');
    const long = await (await mapperWith((e) => ({ ...e, given_name: 'x'.repeat(5000) }))).map(rows(DJANGO));
    expect(long.kind === 'invalid' && long.reason).to.include('given_name is 5000 characters');
    const key = 'k'.repeat(250);
    const sub = await (await mapperWith()).map(rows(DJANGO, key));
    expect(sub.kind === 'invalid' && sub.reason).to.include('the sub (sub.prefix + key) is 257 characters');
    expect(sub.kind === 'invalid' && sub.reason).to.not.include(key);
  });
});
