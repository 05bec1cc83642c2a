import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { VerifyReport } from './verify-report.js';

/**
 * Writes the report as pretty-printed JSON to `path` (parent directories are created). The file
 * is written next to its final name and renamed into place, so a reader never sees half a report.
 */
export async function writeVerifyReport(report: VerifyReport, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(report, null, 2) + '\n', 'utf8');
  await rename(tmp, path);
}
