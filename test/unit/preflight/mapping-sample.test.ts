import { expect } from 'chai';
import { describeMappedSample } from '../../../src/preflight/mapping-preflight.js';
import type { MappedUser } from '../../../src/user-mapper.js';

const NOOP = 'password: Spring Security {noop}: a plaintext password';

describe("check's mapping sample", () => {
  it('says what the users that do not become cidaas users are, and each reason once with its users', () => {
    const invalid = (key: string, reason: string): { key: string; m: MappedUser } => ({ key, m: { kind: 'invalid', sub: `s-${key}`, reason } });
    const { summary, problems, bad } = describeMappedSample([
      { key: 'user0', m: { kind: 'delete', sub: 's-user0', reason: 'soft-deleted' } },
      invalid('user1006', NOOP),
      invalid('user1016', NOOP),
      { key: 'user2', m: { kind: 'skip', sub: 's-user2' } },
      invalid('user3', 'groups: legacy group "read" has no cidaas groupId'),
    ]);
    expect(summary).to.equal("5 users read: 0 become cidaas users, 1 are deletes (soft-deleted, filtered out or the mapping's 'delete'), 1 skipped by the mapping module, 3 cannot be pushed");
    expect(problems).to.deep.equal([`users user1006, user1016: ${NOOP}`, 'user user3: groups: legacy group "read" has no cidaas groupId']);
    expect(bad).to.equal(3);
  });
});
