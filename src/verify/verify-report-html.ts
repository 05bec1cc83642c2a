import { VERIFY_GROUPS, type VerifyReport } from './verify-report.js';

/** What the page says besides the report itself. */
export interface VerifyPageContext {
  /** `verify` or `cutover`. */
  command: string;
  /** The checkpoint (source position) at the time of the verify, or null when none. */
  checkpoint: string | null;
  /** This tool's version. */
  version: string;
  /** Where the JSON report of the same run is. */
  jsonReport: string;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const n = (x: number): string => x.toLocaleString('en-US');

function keyList(title: string, count: number, rows: string[][], head: string[]): string {
  if (count === 0) return '';
  const shown = rows.length < count ? ` <span class="muted">(the first ${n(rows.length)} of ${n(count)}; the JSON report has the same list)</span>` : '';
  return `<h2>${esc(title)}: ${n(count)}${shown}</h2>
<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>
${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>`;
}

/**
 * The go-live report as one self-contained HTML page (no script, no external asset) that a
 * project manager can read, print and sign: the verdict, the totals, every kind of difference
 * with its users (legacy keys and subs only, never a value), the dead letters with their
 * reasons, the checkpoint and time of the run and the tool's version.
 */
export function renderVerifyReportHtml(r: VerifyReport, ctx: VerifyPageContext): string {
  const verdict = !r.complete ? 'INCOMPLETE' : r.equal ? 'EQUAL' : 'DIFFERENCES FOUND';
  const c = r.counts;
  const totals: [string, string][] = [
    ['legacy users', n(r.legacyUsers)],
    ['checked', `${n(r.checked)}${r.sample === null ? ' (all)' : ` (a random sample of ${n(r.sample)})`}`],
    ['skipped by the mapping module', n(r.skipped)],
    ['users deleted in legacy, checked absent', n(r.orphansChecked)],
    ['users in cidaas (for orientation)', r.cidaasUsers === null ? 'unknown' : n(r.cidaasUsers)],
    ['missing in cidaas', n(c.missingInCidaas)],
    ['present in cidaas but deleted in legacy', n(c.deletedButPresent)],
    ['differing', n(c.differing)],
    ['cannot be mapped', n(c.unmappable)],
    ['in the dead-letter list', n(c.deadLetters)],
    ['findings rechecked', r.rechecked ? 'yes' : 'no'],
    ['duration', `${(r.durationMs / 1000).toFixed(1)} s (${n(r.usersPerSecond)} users/s, cidaas read by ${r.cidaasRead})`],
  ];
  const byGroup = VERIFY_GROUPS.filter((g) => c.differingByGroup[g] > 0)
    .map((g) => keyList(`Differing in ${g}`, c.differingByGroup[g], r.differing.filter((d) => d.groups.includes(g)).map((d) => [d.key, d.sub]), ['legacy key', 'cidaas sub']))
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cidaas-sync ${esc(ctx.command)} report ${esc(r.at)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;max-width:960px;margin:24px auto;padding:0 16px;color:#1d2330}
h1{font-size:22px}h2{font-size:16px;margin-top:28px}
.verdict{font-size:28px;font-weight:700;padding:10px 14px;border-radius:6px;display:inline-block}
.EQUAL{background:#e3f6ec;color:#18794e}.bad{background:#fdeceb;color:#c4320a}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border-bottom:1px solid #e4e8ee;padding:4px 6px;text-align:left;vertical-align:top}
th{color:#5a6478;font-weight:600}.muted{color:#6b7385;font-weight:normal;font-size:13px}
.sign td{height:48px;border-bottom:1px solid #1d2330;width:33%}
@media print{body{margin:0}}
</style></head><body>
<h1>cidaas migration — ${esc(ctx.command === 'cutover' ? 'go-live (cutover)' : 'verification')} report</h1>
<p class="verdict ${verdict === 'EQUAL' ? 'EQUAL' : 'bad'}" id="verdict">${verdict}</p>
<table id="run">
<tr><th>verified at</th><td>${esc(r.at)}</td></tr>
<tr><th>checkpoint (source position)</th><td>${esc(ctx.checkpoint ?? 'none')}</td></tr>
<tr><th>tool</th><td>cidaas-sync ${esc(ctx.version)} (${esc(ctx.command)})</td></tr>
<tr><th>JSON report</th><td>${esc(ctx.jsonReport)}</td></tr>
</table>
<h2>Totals</h2>
<table id="totals">${totals.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n')}</table>
${keyList('Missing in cidaas', c.missingInCidaas, r.missingInCidaas.map((k) => [k]), ['legacy key'])}
${keyList('Present in cidaas but deleted in legacy', c.deletedButPresent, r.deletedButPresent.map((k) => [k]), ['legacy key'])}
${byGroup}
${keyList('Cannot be mapped', c.unmappable, r.unmappable.map((u) => [u.key, u.reason]), ['legacy key', 'reason'])}
${keyList('Dead letters', c.deadLetters, r.deadLetters.map((d) => [d.key, d.reason, String(d.attempts)]), ['legacy key', 'reason', 'attempts'])}
${keyList('TOTP removed in legacy but still working in cidaas: an admin must reset their MFA in cidaas (cidaas.compat.totpRemoval; also differing in mfa)', r.totpStranded.count, r.totpStranded.keys.map((k) => [k]), ['legacy key'])}
${keyList('Must enrol their authenticator again (cidaas.compat.totpImport: flag-only; not a difference)', r.totpReenrol.count, r.totpReenrol.keys.map((k) => [k]), ['legacy key'])}
<h2>Sign-off</h2>
<table class="sign"><tr><th>checked by</th><th>approved by</th><th>date</th></tr><tr><td></td><td></td><td></td></tr></table>
</body></html>
`;
}
