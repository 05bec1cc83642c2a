import type { PresetReport } from '../../../config/apply-preset.js';
import type { PreflightSection } from '../../preflight/preflight-item.js';

function named(report: PresetReport): string {
  const params = Object.entries(report.params).map(([k, v]) => `${k}: ${v}`);
  return `${report.name} (${report.title})${params.length > 0 ? `, ${params.join(', ')}` : ''}`;
}

const list = (keys: readonly string[]): string => (keys.length === 0 ? 'none' : keys.join(', '));

/**
 * The lines `preview` prints above the users: which preset, which of its keys the file changed,
 * and every key of the sections it fills as in force, with where the value came from.
 */
export function renderPresetSummary(report: PresetReport): string {
  const width = Math.max(0, ...report.effective.map((e) => e.path.length + (e.value === undefined ? 0 : JSON.stringify(e.value).length + 2)));
  const lines = report.effective.map((e) => {
    const shown = e.value === undefined ? e.path : `${e.path}: ${JSON.stringify(e.value)}`;
    return `    ${shown.padEnd(width)}  (${e.origin})`;
  });
  return [
    `preset: ${named(report)}`,
    `  from the preset: ${list(report.fromPreset)}`,
    `  overridden by the file: ${list(report.overridden)}`,
    `  removed by the file (null): ${list(report.removed)}`,
    '  in force:',
    ...lines,
    '',
  ].join('\n');
}

/** The same as a `check` section (informational: every item passes). */
export function presetSection(report: PresetReport): PreflightSection {
  return {
    title: 'preset',
    items: [
      { name: 'preset', ok: true, detail: `${named(report)}; schema from ${report.sources.join('; ')}` },
      { name: 'from the preset', ok: true, detail: list(report.fromPreset) },
      { name: 'overridden by the file', ok: true, detail: list(report.overridden) },
      { name: 'removed by the file (null)', ok: true, detail: list(report.removed) },
    ],
  };
}

/** The report as `--json` shows it. */
export function presetJson(report: PresetReport): Record<string, unknown> {
  return { name: report.name, params: report.params, fromPreset: report.fromPreset, overridden: report.overridden, removed: report.removed, effective: report.effective };
}
