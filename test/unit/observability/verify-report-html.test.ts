import { expect } from 'chai';
import { renderVerifyReportHtml } from '../../../src/verify/verify-report-html.js';
import type { VerifyReport } from '../../../src/verify/verify-report.js';

function report(over: Partial<VerifyReport> = {}): VerifyReport {
  return {
    at: '2026-12-02T10:00:00.000Z', sample: null, complete: true, legacyUsers: 3, checked: 3, skipped: 0, orphansChecked: 0, cidaasUsers: 3,
    equal: false, listCap: 1000,
    counts: { missingInCidaas: 1, deletedButPresent: 0, differing: 1, unmappable: 0, deadLetters: 1,
      differingByGroup: { profile: 0, email: 0, password: 1, mfa: 0, groups: 0, identities: 0, 'modified-in-cidaas': 0 } },
    missingInCidaas: ['7'], deletedButPresent: [], differing: [{ key: '9', sub: 'legacy-9', groups: ['password'] }], unmappable: [],
    deadLetters: [{ key: '<script>alert(1)</script>', reason: 'cidaas: "email" <b>invalid</b>', attempts: 2 }],
    totpReenrol: { count: 0, keys: [] }, totpStranded: { count: 0, keys: [] }, cidaasRead: 'search', rechecked: true, durationMs: 1234, usersPerSecond: 3, ...over,
  };
}

describe('the HTML go-live report (#19)', () => {
  it('names the verdict, the checkpoint, the version and every difference group with its users', () => {
    const html = renderVerifyReportHtml(report(), { command: 'cutover', checkpoint: '0/16B3748', version: '1.2.3', jsonReport: '/r/cutover.json' });
    expect(html).to.contain('DIFFERENCES FOUND').and.contain('0/16B3748').and.contain('cidaas-sync 1.2.3 (cutover)').and.contain('/r/cutover.json');
    expect(html).to.contain('Missing in cidaas: 1').and.contain('Differing in password: 1').and.contain('<td>legacy-9</td>');
    expect(html).to.contain('Sign-off');
    expect(html).not.to.match(/<script|src=|href=/);
  });

  it('escapes keys and reasons: nothing from the data becomes markup', () => {
    const html = renderVerifyReportHtml(report(), { command: 'verify', checkpoint: null, version: 'x', jsonReport: 'r.json' });
    expect(html).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;').and.contain('cidaas: &quot;email&quot; &lt;b&gt;invalid&lt;/b&gt;');
  });

  it('says EQUAL on a clean run and lists no empty group', () => {
    const clean = report({
      equal: true, missingInCidaas: [], differing: [], deadLetters: [],
      counts: { missingInCidaas: 0, deletedButPresent: 0, differing: 0, unmappable: 0, deadLetters: 0, differingByGroup: { profile: 0, email: 0, password: 0, mfa: 0, groups: 0, identities: 0, 'modified-in-cidaas': 0 } },
    });
    const html = renderVerifyReportHtml(clean, { command: 'verify', checkpoint: '0/1', version: 'x', jsonReport: 'r.json' });
    expect(html).to.contain('>EQUAL<');
    expect(html).not.to.contain('Missing in cidaas:');
  });

  it('lists the users who must enrol their authenticator again (#12)', () => {
    const html = renderVerifyReportHtml(report({ totpReenrol: { count: 2, keys: ['41', '42'] } }), { command: 'cutover', checkpoint: null, version: 'x', jsonReport: 'r.json' });
    expect(html).to.contain('Must enrol their authenticator again').and.contain('<td>41</td>').and.contain('<td>42</td>');
    expect(renderVerifyReportHtml(report(), { command: 'cutover', checkpoint: null, version: 'x', jsonReport: 'r.json' })).not.to.contain('Must enrol');
  });
});
