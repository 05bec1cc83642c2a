import { expect } from 'chai';
import type { UserRule } from '../../../tools/emulator/cidaas-emulator.js';
import { BATCH_RULES, USER_RULES } from '../../../tools/emulator/cidaas-emulator.js';
import type { EmulatorFixture } from './emulator-fixture.js';
import { useEmulator, user } from './emulator-fixture.js';

const BCRYPT_10 = '$2b$10$' + 'N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
const PBKDF2_KEY = Buffer.alloc(32, 7).toString('base64');
const SALT = Buffer.from('pepper-and-salt').toString('base64');
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DP';

/** One named case per per-user rule: the entity that breaks it and the message it gets. */
interface RuleCase {
  readonly entity: Record<string, unknown>;
  readonly message: string;
  /** Runs before the bulk call (seed a user, queue a fault). */
  readonly setup?: (t: EmulatorFixture) => void;
  /** Needs the emulator with migrationMode off and a customFields setup. */
  readonly strict?: true;
}

const RULE_CASES: Record<UserRule, RuleCase> = {
  unknown_field: { entity: user(1, { mobileNumber: '+4915112345678' }), message: 'unknown field "mobileNumber"' },
  null_value: { entity: user(1, { middle_name: null }), message: 'middle_name must not be null' },
  invalid_type: { entity: user(1, { email_verified: 'yes' }), message: 'email_verified must be a boolean' },
  invalid_sub: { entity: user(1, { sub: '' }), message: 'invalid sub' },
  no_identifier: { entity: { sub: 'u-1', given_name: 'Nobody' }, message: 'one of email, mobile_number or username is required' },
  invalid_email: { entity: user(1, { email: 'bad@example' }), message: 'invalid email passed' },
  invalid_mobile_number: { entity: user(1, { mobile_number: '0151 1234567' }), message: 'invalid mobile_number passed' },
  invalid_username: { entity: user(1, { username: '' }), message: 'username must not be empty' },
  invalid_user_status: { entity: user(1, { userStatus: 'ACTIVE' }), message: 'invalid userStatus' },
  invalid_birthdate: { entity: user(1, { birthdate: '1990-02-30' }), message: 'invalid birthdate' },
  invalid_timestamp: { entity: user(1, { createdTime: 'yesterday' }), message: 'invalid createdTime' },
  invalid_custom_fields: { entity: user(1, { customFields: { address: { city: 'Berlin' } } }), message: 'invalid customFields value for "address"' },
  unknown_custom_field: {
    strict: true,
    entity: user(1, { customFields: { shoe_size: 42 } }),
    message: `customField "shoe_size" is not in the tenant's field setup`,
  },
  invalid_password_hash_info: {
    entity: user(1, { password_hash_info: { algorithmTypeId: 'PBKDF2_SHA256', passwordHash: PBKDF2_KEY, hData: { salt: SALT, iterations: 1000 } } }),
    message: 'password_hash_info.hData.iterations must be a string',
  },
  unsupported_algorithm: {
    entity: user(1, { password_hash_info: { algorithmTypeId: 'MD5', passwordHash: '5f4dcc3b5aa765d61d8327deb882cf99' } }),
    message: 'unsupported algorithmTypeId',
  },
  hash_format_mismatch: {
    entity: user(1, { password_hash_info: { algorithmTypeId: 'BCRYPT_12', passwordHash: BCRYPT_10 } }),
    message: 'passwordHash does not match algorithmTypeId BCRYPT_12: the hash has cost 10',
  },
  pbkdf2_hdata_missing: {
    entity: user(1, { password_hash_info: { algorithmTypeId: 'PBKDF2_SHA256', passwordHash: PBKDF2_KEY } }),
    message: 'PBKDF2_SHA256 needs hData.salt (non-empty) and hData.iterations',
  },
  invalid_salt: {
    entity: user(1, { password_hash_info: { algorithmTypeId: 'SHA256', passwordHash: 'ab'.repeat(32), hData: { salt: 'not base64!' } } }),
    message: 'hData.salt must be standard base64 of the salt bytes',
  },
  invalid_keylen: {
    entity: user(1, { password_hash_info: { algorithmTypeId: 'PBKDF2_SHA256', passwordHash: PBKDF2_KEY, hData: { salt: SALT, iterations: '1000', keylen: '8' } } }),
    message: 'hData.keylen must be the derived key length in bytes, 16..128',
  },
  invalid_groups: { entity: user(1, { groups: [{ groupId: 'staff', roles: 'ADMIN' }] }), message: 'groups[].roles must be an array of strings' },
  unknown_group: { entity: user(1, { groups: [{ groupId: 'no-such-group' }] }), message: 'group "no-such-group" does not exist' },
  invalid_identities: { entity: user(1, { identities: [{ provider: 'google' }] }), message: 'identities items must be {"provider", "providerUserId"}' },
  unknown_provider: { entity: user(1, { identities: [{ provider: 'myspace', providerUserId: '42' }] }), message: 'provider "myspace" is not enabled in the tenant' },
  invalid_mfa: { entity: user(1, { mfa: { totp: { secret: SECRET, digits: 8 } } }), message: 'unsupported mfa.totp parameters' },
  invalid_totp_secret: { entity: user(1, { mfa: { totp: { secret: 'jbswy3dp-not-base32' } } }), message: 'invalid mfa totp secret: not base32' },
  email_exists: {
    setup: (t) => t.emu.seed([user(99, { email: 'U1@example.com' })]),
    entity: user(1),
    message: 'email already exists',
  },
  password_overwrite: {
    strict: true,
    setup: (t) => t.emu.seed([user(1, { password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT_10 } })]),
    entity: user(1, { password_hash_info: { algorithmTypeId: 'SHA1', passwordHash: 'ab'.repeat(20) }, given_name: 'Changed' }),
    message: 'password overwrite requires migrationMode',
  },
  fault_fail_email: {
    setup: (t) => t.emu.addFaults([{ failEmail: 'u1@example.com', message: 'mailbox is on a block list' }]),
    entity: user(1),
    message: 'mailbox is on a block list',
  },
};

function defineRuleCases(t: EmulatorFixture, strict: boolean): void {
  for (const [rule, c] of Object.entries(RULE_CASES) as [UserRule, RuleCase][]) {
    if ((c.strict ?? false) !== strict) continue;
    it(`answers FAILED for that user alone when ${USER_RULES[rule]} (${rule})`, async () => {
      c.setup?.(t);
      const sub = c.entity['sub'] as string;
      const before = t.emu.getUser(sub);
      const states = await t.bulk([c.entity, user(2)]);
      expect(states).to.have.length(2);
      expect(states[0]).to.include({ sub: 'ANONYMOUS', status: 'FAILED' });
      expect(states[0]!.message).to.include(c.message);
      expect(states[1]).to.include({ sub: 'u-2', status: 'CREATED' });
      expect(t.emu.getUser(sub)).to.deep.equal(before);
      expect(t.emu.getUser('u-2')).to.exist;
    });
  }
}

describe('cidaas emulator: bulk validation', () => {
  const t = useEmulator();

  it('has one named case per per-user rule', () => {
    expect(Object.keys(RULE_CASES).sort()).to.deep.equal(Object.keys(USER_RULES).sort());
  });

  describe('per-user rules', () => {
    defineRuleCases(t, false);
  });

  describe('per-user rules with migrationMode off and a customFields setup', () => {
    const strict = useEmulator({ migrationMode: false, customFields: ['customer_no'] });
    defineRuleCases(strict, true);
  });

  describe('whole-batch rules', () => {
    const cases: Record<keyof typeof BATCH_RULES, { status: number; send: { body?: unknown; raw?: string; headers?: Record<string, string> }; message: string }> = {
      not_json_content_type: { status: 400, send: { raw: JSON.stringify([user(1)]), headers: { 'content-type': 'text/plain' } }, message: 'Content-Type' },
      malformed_json: { status: 400, send: { raw: '[{"sub": "u-1",', headers: { 'content-type': 'application/json' } }, message: 'not JSON' },
      not_an_array: { status: 400, send: { body: user(1) }, message: 'JSON array' },
      empty_array: { status: 400, send: { body: [] }, message: 'at least one user' },
      over_cap: { status: 413, send: { body: Array.from({ length: 51 }, (_, i) => user(i)) }, message: 'at most 50 users per call' },
      element_not_object: { status: 400, send: { body: [user(1), 'u-2', user(3)] }, message: 'element 1 is not a JSON object' },
    };

    for (const [rule, c] of Object.entries(cases)) {
      it(`rejects the whole batch with ${c.status} when ${BATCH_RULES[rule as keyof typeof BATCH_RULES].slice(5)} (${rule})`, async () => {
        const res = await t.call('POST', '/users-srv/user/bulk', { ...c.send, token: t.emu.issueToken() });
        expect(res.status).to.equal(c.status);
        expect(res.body).to.include({ success: false, status: c.status });
        const error = res.body['error'] as Record<string, unknown>;
        expect(error).to.include({ status: c.status, type: 'UsersException', moreInfo: '' });
        expect(error['code']).to.be.a('number');
        expect(error['referenceNumber']).to.match(/^\d{13}-[0-9a-f-]{36}$/);
        expect(error['error']).to.include(c.message);
        expect(t.emu.userCount).to.equal(0);
      });
    }

    it('accepts exactly the cap of 50 users', async () => {
      const states = await t.bulk(Array.from({ length: 50 }, (_, i) => user(i)));
      expect(states.every((s) => s.status === 'CREATED')).to.equal(true);
    });
  });

  describe('accepted password hashes, one per algorithm and format', () => {
    const argon2 = '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$q5VQqNgdYR6dGDvc5LBfmkPWtHk4WzuQeLSyu9ceC9k';
    const accepted: Record<string, Record<string, unknown>> = {
      'BCRYPT_10 $2b$': { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT_10 },
      'BCRYPT_10 $2a$': { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT_10.replace('$2b$', '$2a$') },
      'BCRYPT_10 $2y$': { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT_10.replace('$2b$', '$2y$') },
      PBKDF2_SHA256: { algorithmTypeId: 'PBKDF2_SHA256', passwordHash: PBKDF2_KEY, hData: { salt: SALT, iterations: '600000' } },
      PBKDF2_SHA1: { algorithmTypeId: 'PBKDF2_SHA1', passwordHash: Buffer.alloc(20, 1).toString('base64'), hData: { salt: SALT, iterations: '1000' } },
      'ARGON2 argon2id': { algorithmTypeId: 'ARGON2', passwordHash: argon2 },
      'ARGON2 argon2i': { algorithmTypeId: 'ARGON2', passwordHash: argon2.replace('$argon2id$', '$argon2i$') },
      'ARGON2 argon2d': { algorithmTypeId: 'ARGON2', passwordHash: argon2.replace('$argon2id$', '$argon2d$') },
      'SHA256 with salt': { algorithmTypeId: 'SHA256', passwordHash: 'AB'.repeat(32), hData: { salt: SALT } },
      'SHA1 without salt': { algorithmTypeId: 'SHA1', passwordHash: 'ab'.repeat(20) },
      CUSTOM_PHPASS: { algorithmTypeId: 'CUSTOM_PHPASS', passwordHash: '$P$B12345678abcdefghijklmnopqrstu', hData: { salt: 'raw text salt' } },
    };
    for (const [name, info] of Object.entries(accepted)) {
      it(`stores a ${name} hash`, async () => {
        const states = await t.bulk([user(1, { password_hash_info: info })]);
        expect(states[0]).to.include({ status: 'CREATED' });
        expect(t.emu.getUser('u-1')!.password_hash_info).to.deep.equal(info);
      });
    }

    const mismatched: Record<string, Record<string, unknown>> = {
      'a bcrypt hash one character short': { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT_10.slice(0, -1) },
      'a BCRYPT cost outside 4..20': { algorithmTypeId: 'BCRYPT_21', passwordHash: BCRYPT_10 },
      'an argon2 hash without the PHC prefix': { algorithmTypeId: 'ARGON2', passwordHash: argon2.slice(1) },
      'a SHA1 of 39 hex digits': { algorithmTypeId: 'SHA1', passwordHash: 'a'.repeat(39) },
      'a SHA256 that is not hex': { algorithmTypeId: 'SHA256', passwordHash: 'z'.repeat(64) },
      'a PBKDF2 key that is not base64': { algorithmTypeId: 'PBKDF2_SHA256', passwordHash: 'not base64!', hData: { salt: SALT, iterations: '1000' } },
      'a PBKDF2 key shorter than 16 bytes': { algorithmTypeId: 'PBKDF2_SHA1', passwordHash: Buffer.alloc(8).toString('base64'), hData: { salt: SALT, iterations: '1000' } },
      'a PBKDF2 iteration count that is not digits': { algorithmTypeId: 'PBKDF2_SHA1', passwordHash: PBKDF2_KEY, hData: { salt: SALT, iterations: 'many' } },
      'an empty passwordHash': { algorithmTypeId: 'CUSTOM_X', passwordHash: '' },
    };
    for (const [name, info] of Object.entries(mismatched)) {
      it(`fails the user for ${name}`, async () => {
        const states = await t.bulk([user(1, { password_hash_info: info })]);
        expect(states[0]).to.include({ sub: 'ANONYMOUS', status: 'FAILED' });
        expect(states[0]!.message).to.be.a('string').and.not.empty;
        expect(t.emu.getUser('u-1')).to.equal(undefined);
      });
    }
  });

  describe('other accepted values', () => {
    it('stores every field of the user entity as sent', async () => {
      const full = {
        sub: 'u-1', userStatus: 'PENDING', provider: 'self', email: 'u1@example.com', email_verified: true,
        mobile_number: '+4915112345678', mobile_number_verified: false, username: 'user1', given_name: 'G', family_name: 'F',
        middle_name: 'M', nickname: 'N', locale: 'de-DE', birthdate: '2000-02-29',
        customFields: { customer_no: 42, vip: true, tags: ['a', 1, false], note: 'x' },
        password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT_10 }, mfa_enabled: true,
        mfa: { totp: { secret: SECRET, algorithm: 'SHA1', digits: 6, period: 30 } },
        createdTime: '2019-05-01T10:00:00Z', lastLoggedInTime: '2024-01-31T12:00:00.123+01:00',
      };
      const states = await t.bulk([full]);
      expect(states[0]).to.deep.equal({ sub: 'u-1', identifier: { email: 'u1@example.com', mobile_number: '+4915112345678', username: 'user1' }, status: 'CREATED' });
      const { updatedTime, ...stored } = t.emu.getUser('u-1')!;
      expect(stored).to.deep.equal(full);
      expect(Date.parse(updatedTime)).to.be.closeTo(Date.now(), 60_000);
    });

    it('accepts a user identified by mobile_number or username alone', async () => {
      const states = await t.bulk([{ sub: 'm', mobile_number: '+4915112345678' }, { sub: 'n', username: 'nick' }]);
      expect(states.map((s) => s.status)).to.deep.equal(['CREATED', 'CREATED']);
    });

    it('accepts a TOTP secret without the optional algorithm, digits and period and stores the defaults', async () => {
      await t.bulk([user(1, { mfa: { totp: { secret: SECRET } } })]);
      expect(t.emu.getUser('u-1')!.mfa).to.deep.equal({ totp: { secret: SECRET, algorithm: 'SHA1', digits: 6, period: 30 } });
    });

    it('fails a TOTP secret shorter than 80 bits', async () => {
      const states = await t.bulk([user(1, { mfa: { totp: { secret: 'JBSWY3DPEHPK3PX' } } })]);
      expect(states[0]!.message).to.include('shorter than 80 bits');
    });
  });
});
