import { expect } from 'chai';
import { afterUpdate, DEFAULT_COMPAT, needsReadBack } from '../../src/cidaas/cidaas-compat.js';
import type { CidaasUser } from '../../src/cidaas/cidaas-user.js';
import { strandedLinks } from '../../src/dispatch/stale-memberships.js';

const google = { provider: 'google', providerUserId: '1098' };
const facebook = { provider: 'facebook', providerUserId: 'fb-5' };

describe('which updated users are read back, by cidaas.compat groups, emptyGroups and identities (#16)', () => {
  const member: CidaasUser = { sub: 'u1', groups: [{ groupId: 'staff' }], identities: [google] };
  const lastGone: CidaasUser = { sub: 'u2', groups: [], identities: [] };
  const unmapped: CidaasUser = { sub: 'u3' };

  it('reads nobody back with the defaults (the upsert replaces both lists)', () => {
    const after = afterUpdate(DEFAULT_COMPAT);
    expect(after).to.deep.equal({ groups: 'never', identities: false });
    expect([member, lastGone, unmapped].map((u) => needsReadBack(u, after))).to.deep.equal([false, false, false]);
  });

  it('groups add reads back every user with groups mapped', () => {
    const after = afterUpdate({ ...DEFAULT_COMPAT, groups: 'add' });
    expect([member, lastGone, unmapped].map((u) => needsReadBack(u, after))).to.deep.equal([true, true, false]);
  });

  it('emptyGroups ignore reads back only a user whose list is empty (its last membership may have gone)', () => {
    const after = afterUpdate({ ...DEFAULT_COMPAT, emptyGroups: 'ignore' });
    expect(after.groups).to.equal('when-empty');
    expect([member, lastGone, unmapped].map((u) => needsReadBack(u, after))).to.deep.equal([false, true, false]);
  });

  it('identities add reads back every user with identities mapped, empty or not', () => {
    const after = afterUpdate({ ...DEFAULT_COMPAT, identities: 'add' });
    expect([member, lastGone, unmapped].map((u) => needsReadBack(u, after))).to.deep.equal([true, true, false]);
  });

  it('a stranded link is one cidaas holds that the pushed list lacks, in any order or shape', () => {
    expect(strandedLinks([google], [facebook, google, { provider: 'x' }])).to.deep.equal([facebook]);
    expect(strandedLinks([], [google])).to.deep.equal([google]);
    expect(strandedLinks([facebook, google], [google, facebook])).to.deep.equal([]);
    // The same provider with another id at it (the legacy account was relinked): the old one stays.
    expect(strandedLinks([{ provider: 'google', providerUserId: '2000' }], [google])).to.deep.equal([google]);
    expect(strandedLinks([google], undefined)).to.deep.equal([]);
  });
});
