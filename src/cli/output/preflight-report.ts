import { isFailure, isWarning, type PreflightItem, type PreflightSection, type RepairOutcome } from '../../preflight/preflight-item.js';
import { plural } from './plural.js';
import { textTable } from './text-table.js';

/** Counts over every item of a check run. */
export interface PreflightSummary {
  readonly passed: number;
  readonly failed: number;
  readonly warnings: number;
}

/** How many items passed, failed, and are unmet warnings. */
export function summarize(sections: readonly PreflightSection[]): PreflightSummary {
  const items = sections.flatMap((s) => s.items);
  return { passed: items.filter((i) => i.ok).length, failed: items.filter(isFailure).length, warnings: items.filter(isWarning).length };
}

function status(i: PreflightItem): string {
  return i.ok ? 'pass' : isWarning(i) ? 'WARN' : 'FAIL';
}

/**
 * The check result for a person: on a terminal, a table per section (status, item, detail) with
 * each fix on its own line under the item; otherwise one plain line per item, easy to grep.
 */
export function renderPreflight(sections: readonly PreflightSection[], repairs: readonly RepairOutcome[] | undefined, tty: boolean): string {
  const out: string[] = [];
  if (repairs) {
    out.push('check --fix:');
    if (!repairs.length) out.push('  nothing to repair');
    for (const r of repairs) {
      out.push(`  ${r.done ? 'done' : r.attempted ? 'could not' : 'left to you'}: ${r.action}${r.detail ? `\n    (${r.detail})` : ''}`);
    }
    out.push('', 'checks after --fix:');
  }
  for (const s of sections) {
    out.push(tty ? `\n${s.title}` : `[${s.title}]`);
    if (tty) {
      const rows: string[][] = [['STATUS', 'CHECK', 'DETAIL']];
      for (const i of s.items) {
        rows.push([status(i), i.name, i.detail]);
        if (!i.ok && i.fix) rows.push(['', '', `fix: ${i.fix}`]);
      }
      out.push(textTable(rows, '  '));
    } else {
      for (const i of s.items) {
        out.push(`${status(i)} ${i.name}: ${i.detail}`);
        if (!i.ok && i.fix) out.push(`  fix: ${i.fix}`);
      }
    }
  }
  const sum = summarize(sections);
  out.push('', `${plural(sum.passed, 'check')} passed, ${sum.failed} failed, ${plural(sum.warnings, 'warning')}`);
  if (sum.failed) out.push('apply the fixes above (`cidaas-sync check --fix` does what the configured role may), then run `cidaas-sync check` again');
  return out.join('\n') + '\n';
}

/** The check result for machines (`--json`): every item without the repair statements. */
export function preflightJson(sections: readonly PreflightSection[], repairs: readonly RepairOutcome[] | undefined): unknown {
  const sum = summarize(sections);
  return {
    ok: sum.failed === 0,
    summary: sum,
    sections: sections.map((s) => ({
      title: s.title,
      items: s.items.map((i) => ({ name: i.name, status: status(i).toLowerCase(), ok: i.ok, severity: i.severity ?? 'error', detail: i.detail, ...(i.fix ? { fix: i.fix } : {}) })),
    })),
    ...(repairs ? { repairs } : {}),
  };
}
