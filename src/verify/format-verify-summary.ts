import type { VerifyReport } from './verify-report.js';

/** Options of {@link formatVerifySummary}. */
export interface VerifySummaryOptions {
  /** Examples shown per kind of finding. Default 5. */
  examples?: number;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** One example of a finding: the legacy key and, where the finding has one, what about it. */
interface Example {
  readonly key: string;
  readonly note?: string;
}

/**
 * The examples as text, keys that share a note written once before it: `1006, 1016 (reason)`.
 * A dead-letter list is mostly one reason many times over (a hash format, a missing group), and a
 * reason of 200 characters repeated five times hid the keys.
 */
function describeExamples(examples: readonly Example[]): string {
  const parts: string[] = [];
  let keys: string[] = [];
  examples.forEach((e, i) => {
    keys.push(e.key);
    const next = examples[i + 1];
    if (next !== undefined && next.note === e.note) return;
    parts.push(e.note === undefined ? keys.join(', ') : `${keys.join(', ')} (${e.note})`);
    keys = [];
  });
  return parts.join(', ');
}

function line(label: string, n: number, examples: readonly Example[], shown: number): string {
  const head = `  ${label.padEnd(40)}${count(n).padStart(9)}`;
  if (n === 0 || shown === 0) return head;
  const list = examples.slice(0, shown);
  const more = n > list.length ? `, … ${count(n - list.length)} more` : '';
  return `${head}   e.g. ${describeExamples(list)}${more}`;
}

/**
 * The human summary of a verify run: a verdict line, what was checked at what rate, and one
 * line per kind of finding with its exact count and the first examples (legacy keys).
 */
export function formatVerifySummary(report: VerifyReport, o: VerifySummaryOptions = {}): string {
  const shown = o.examples ?? 5;
  const c = report.counts;
  const verdict = !report.complete ? 'INCOMPLETE (stopped before the end)' : report.equal ? 'EQUAL' : 'DIFFERENCES FOUND';
  const scope = report.sample === null
    ? `all ${count(report.legacyUsers)} legacy users`
    : `a random SAMPLE of ${count(report.checked)} of ${count(report.legacyUsers)} legacy users`;
  const seconds = (report.durationMs / 1000).toFixed(1);
  const lines = [
    `verify: ${verdict}`,
    `  checked ${scope} in ${seconds} s (${count(report.usersPerSecond)} users/s)` +
      (report.skipped ? `, ${count(report.skipped)} skipped by the mapping module` : '') +
      (report.orphansChecked ? `, and ${count(report.orphansChecked)} users deleted in legacy` : ''),
  ];
  if (report.cidaasUsers !== null) lines.push(`  cidaas holds ${count(report.cidaasUsers)} users in all`);
  lines.push(
    line('missing in cidaas', c.missingInCidaas, report.missingInCidaas.map((key) => ({ key })), shown),
    line('present in cidaas but deleted in legacy', c.deletedButPresent, report.deletedButPresent.map((key) => ({ key })), shown),
    line('differing', c.differing, report.differing.map((d) => ({ key: d.key, note: d.groups.join(', ') })), shown),
    line('cannot be mapped', c.unmappable, report.unmappable.map((u) => ({ key: u.key, note: u.reason })), shown),
    line('in the dead-letter list', c.deadLetters, report.deadLetters.map((d) => ({ key: d.key, note: `${d.reason}; ${d.attempts} attempts` })), shown),
  );
  if (c.differing > 0) {
    const groups = Object.entries(c.differingByGroup).filter(([, n]) => n > 0).map(([g, n]) => `${g} ${count(n)}`);
    lines.push(`  differing groups: ${groups.join(', ')}`);
  }
  if (report.totpReenrol.count > 0) {
    lines.push(`  ${report.totpReenrol.count} users must enrol their authenticator again (cidaas.compat.totpImport: flag-only; keys in the report's totpReenrol)`);
  }
  if (report.totpStranded.count > 0) {
    lines.push(`  ${report.totpStranded.count} users keep in cidaas a TOTP authenticator removed in legacy: an admin must reset their MFA in cidaas (see cidaas.compat.totpRemoval; keys in the report's totpStranded)`);
  }
  if (c.differingByGroup.identities > 0) {
    lines.push(`  ${count(c.differingByGroup.identities)} users' social logins differ: a link cidaas holds that legacy no longer has stays when the tenant only adds links ` +
      '(cidaas.compat.identities: add; no call removes one): unlink it in the cidaas admin UI, then verify again');
  }
  if (c.deadLetters > 0) lines.push('  dead letters count as a difference: `cidaas-sync dlq list` shows them, `dlq retry` sends them again');
  return lines.join('\n');
}
