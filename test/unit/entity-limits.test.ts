import { expect } from 'chai';
import type { CidaasUser } from '../../src/cidaas/cidaas-user.js';
import { entityProblem, MAX_ENTITY_BYTES } from '../../src/dispatch/entity-limits.js';
import { Secret } from '../../src/secret.js';

/** A user whose custom fields hold `count` strings of `length` copies of `char`. */
function userWith(count: number, length: number, char: string): CidaasUser {
  const customFields: Record<string, string> = {};
  for (let i = 0; i < count; i++) customFields[`f${i}`] = char.repeat(length);
  return { sub: 'u-1', email: 'a@example.com', given_name: 'Ada', customFields };
}

describe('entityProblem: the serialised size (#15)', () => {
  it('passes a real-sized user without question', () => {
    expect(entityProblem('1', { sub: 'u-1', email: 'a@example.com', given_name: 'Ada', family_name: 'Lovelace', email_verified: true })).to.equal(undefined);
  });

  it('passes a user whose size bound is over the limit but whose JSON is not (plain ASCII)', () => {
    // 40 KB of ASCII: the bound (6 bytes a character) says 240 KB, the JSON is 40 KB.
    const user = userWith(40, 1000, 'a');
    expect(JSON.stringify(user).length).to.be.below(MAX_ENTITY_BYTES);
    expect(entityProblem('1', user)).to.equal(undefined);
  });

  it('refuses a user whose JSON is over the limit, naming its size and no value', () => {
    const user = userWith(70, 1000, 'a');
    const reason = entityProblem('1', user);
    expect(reason).to.match(/^the entity is \d+ bytes serialised/);
    expect(reason).not.to.include('aaaa');
  });

  it('counts what escaping and UTF-8 add: control characters take 6 bytes each, "é" 2', () => {
    // 20 KB of characters: 120 KB escaped, over the limit; 40 KB as UTF-8 "é", under it.
    expect(entityProblem('1', userWith(20, 1000, '\u0001'))).to.match(/bytes serialised/);
    expect(entityProblem('1', userWith(20, 1000, 'é'))).to.equal(undefined);
    expect(entityProblem('1', userWith(40, 1000, 'é'))).to.match(/bytes serialised/);
  });

  it('serialises what it cannot bound: a BigInt is named as not serialisable', () => {
    const user = { sub: 'u-1', email: 'a@example.com', customFields: { n: 1n } } as unknown as CidaasUser;
    expect(entityProblem('1', user)).to.include('cannot be serialised');
  });
});

describe('entityProblem: the password hash and TOTP secret count at their sent size (#15)', () => {
  it('refuses a user made too large by its password hash or its TOTP secret, which only their wire form shows', () => {
    const pw = { sub: 'u-1', email: 'a@example.com', password_hash_info: { algorithmTypeId: 'SHA256', passwordHash: new Secret('a'.repeat(70_000)) } };
    expect(entityProblem('1', pw)).to.match(/bytes serialised/);
    const mfa = { sub: 'u-1', email: 'a@example.com', mfa_enabled: true, mfa: { totp: { secret: new Secret('A'.repeat(70_000)) } } };
    expect(entityProblem('1', mfa)).to.match(/bytes serialised/);
    expect(entityProblem('1', { ...pw, password_hash_info: { algorithmTypeId: 'SHA256', passwordHash: new Secret('a'.repeat(64)) } })).to.equal(undefined);
  });
});
