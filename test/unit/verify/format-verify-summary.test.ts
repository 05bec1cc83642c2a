import { expect } from 'chai';
import { formatVerifySummary } from '../../../src/verify/format-verify-summary.js';
import { VERIFY_GROUPS, type VerifyGroup, type VerifyReport } from '../../../src/verify/verify-report.js';

const NOOP = 'password: Spring Security {noop}: a plaintext password';

function report(over: Partial<VerifyReport>): VerifyReport {
  const byGroup = Object.fromEntries(VERIFY_GROUPS.map((g) => [g, 0])) as Record<VerifyGroup, number>;
  const base: VerifyReport = {
    at: '2026-12-02T00:00:00.000Z', sample: null, complete: true, legacyUsers: 10, checked: 10, skipped: 0, orphansChecked: 0,
    cidaasUsers: 10, equal: false, listCap: 1000, missingInCidaas: [], deletedButPresent: [], differing: [], unmappable: [], deadLetters: [],
    totpReenrol: { count: 0, keys: [] }, totpStranded: { count: 0, keys: [] }, cidaasRead: 'search', rechecked: true, durationMs: 1000, usersPerSecond: 10,
    counts: { missingInCidaas: 0, deletedButPresent: 0, differing: 0, unmappable: 0, deadLetters: 0, differingByGroup: byGroup },
  };
  return { ...base, ...over, counts: { ...base.counts, ...over.counts } };
}

describe('verify summary', () => {
  it('writes a reason shared by neighbouring examples once, after their keys', () => {
    const unmappable = ['u1', 'u2', 'u3'].map((key) => ({ key, reason: NOOP })).concat([{ key: 'u4', reason: 'groups: legacy group "read" has no cidaas groupId' }]);
    const summary = formatVerifySummary(report({ unmappable, counts: { ...report({}).counts, unmappable: 7 } }));
    expect(summary).to.include(`e.g. u1, u2, u3 (${NOOP}), u4 (groups: legacy group "read" has no cidaas groupId), … 3 more`);
    expect(summary.split(NOOP)).to.have.length(2);
  });

  it('keeps a differing user\'s own groups and a missing user\'s bare key', () => {
    const summary = formatVerifySummary(report({
      missingInCidaas: ['4', '7'],
      differing: [{ key: '8', sub: 's-8', groups: ['profile'] }, { key: '11', sub: 's-11', groups: ['email'] }],
      counts: { ...report({}).counts, missingInCidaas: 2, differing: 2 },
    }));
    expect(summary).to.match(/missing in cidaas\s+2\s+e\.g\. 4, 7\n/);
    expect(summary).to.match(/differing\s+2\s+e\.g\. 8 \(profile\), 11 \(email\)\n/);
  });
});
