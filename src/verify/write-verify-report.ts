import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { VerifyReport } from './verify-report.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../security/private-file.js';

/**
 * Writes `text` to `path` (parent directories are created, 0700). The file is written next to its
 * final name under an unpredictable name, created exclusively with mode 0600 (a report names
 * users), and renamed into place, so a reader never sees half a report.
 */
export async function writeReportFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  const tmp = `${path}.${randomBytes(12).toString('hex')}.tmp`;
  await writeFile(tmp, text, { encoding: 'utf8', mode: PRIVATE_FILE_MODE, flag: 'wx' });
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
