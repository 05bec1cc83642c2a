import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { VerifyReport } from './verify-report.js';

/**
 * Writes `text` to `path` (parent directories are created). The file is written next to its
 * final name and renamed into place, so a reader never sees half a report.
 */
export async function writeReportFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, path);
}

/** Writes the report as pretty-printed JSON to `path`, see {@link writeReportFile}. */
export async function writeVerifyReport(report: VerifyReport, path: string): Promise<void> {
  await writeReportFile(path, JSON.stringify(report, null, 2) + '\n');
}

/** The HTML report's path beside the JSON report's: `x.json` → `x.html`, anything else gets `.html` added. */
export function htmlReportPath(jsonPath: string): string {
  return jsonPath.endsWith('.json') ? `${jsonPath.slice(0, -5)}.html` : `${jsonPath}.html`;
}
