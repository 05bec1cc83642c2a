import { expect } from 'chai';
import { existsSync, statSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore } from '../../../src/state/open-state-store.js';
import { writeReportFile } from '../../../src/verify/write-verify-report.js';

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe('files holding user data are private (#13)', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'cidaas-private-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('the SQLite state store, its WAL and its new directory are owner-only', async () => {
    const file = join(dir, 'state', 'cidaas-sync.db');
    const store = await openStateStore(`sqlite:${file}`);
    try {
      await store.setMeta('probe', 'x');
      expect(existsSync(`${file}-wal`)).to.equal(true);
      expect([mode(join(dir, 'state')), mode(file), mode(`${file}-wal`)]).to.deep.equal(['700', '600', '600']);
    } finally {
      await store.close();
    }
  });

  it('the verify report is 0600 and its temp file cannot be redirected by a planted link', async () => {
    const report = join(dir, 'reports', 'verify.json');
    const planted = join(dir, 'planted-target');
    await writeReportFile(join(dir, 'reports', 'warm-up.json'), '{}');
    symlinkSync(planted, `${report}.${process.pid}.tmp`);
    await writeReportFile(report, '{"ok":true}\n');
    expect(existsSync(planted)).to.equal(false);
    expect([mode(join(dir, 'reports')), mode(report)]).to.deep.equal(['700', '600']);
  });
});
