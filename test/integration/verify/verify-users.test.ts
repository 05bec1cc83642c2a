import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SyncError } from '../../../src/errors.js';
import { UserMapper } from '../../../src/user-mapper.js';
import { formatVerifySummary } from '../../../src/verify/format-verify-summary.js';
import type { VerifyReport } from '../../../src/verify/verify-report.js';
import { writeVerifyReport } from '../../../src/verify/write-verify-report.js';
import { bcryptHash, PUSHED_AT, totpSecret, useVerifyWorld } from './verify-fixture.js';

/** The report's findings, without timings: what a test compares. */
function findings(r: VerifyReport): Record<string, unknown> {
  return { missingInCidaas: r.missingInCidaas, deletedButPresent: r.deletedButPresent, differing: r.differing, unmappable: r.unmappable, deadLetters: r.deadLetters };
}

const NONE = { missingInCidaas: [], deletedButPresent: [], differing: [], unmappable: [], deadLetters: [] };

describe('verify (legacy PostgreSQL against the emulator)', function () {
  const w = useVerifyWorld(40);

  /** Fails when a password hash or TOTP secret shows in the report, its summary or the log. */
  function expectNoSecrets(report: VerifyReport): void {
    const shown = [JSON.stringify(report), formatVerifySummary(report), w.logger.text()].join('\n');
    for (const s of w.secrets) expect(shown, 'a secret leaked into the report, summary or log').to.not.include(s);
  }

  it('reports equal after a finished sync, having checked every legacy user', async () => {
    const report = await w.verify();
    expect(findings(report)).to.deep.equal(NONE);
    expect(report).to.include({ equal: true, complete: true, sample: null, legacyUsers: 40, checked: 40, cidaasUsers: 40, cidaasRead: 'search' });
    expect(formatVerifySummary(report)).to.match(/^verify: EQUAL\n/);
    expectNoSecrets(report);
  });

  for (const cidaasRead of ['search', 'get'] as const) {
    it(`finds and names every kind of difference at once (cidaas read by ${cidaasRead})`, async () => {
      await w.client.purge(w.sub(4)); // missing
      await w.sql.query('UPDATE users SET deleted_at = now() WHERE id = 5'); // soft-deleted, still in cidaas
      await w.sql.query('DELETE FROM users WHERE id = 6'); // hard-deleted, still in cidaas
      w.alter(8, (u) => ({ ...u, given_name: 'Mallory', updatedTime: PUSHED_AT.toISOString() }));
      w.alter(11, (u) => ({ ...u, email: 'attacker@example.com', updatedTime: PUSHED_AT.toISOString() }));
      w.alter(13, (u) => ({ ...u, password_hash_info: { algorithmTypeId: 'BCRYPT_4', passwordHash: bcryptHash() } }));
      await w.sql.query('UPDATE credentials SET password_hash = $1 WHERE user_id = 14', [bcryptHash()]);
      const report = await w.verify({ cidaasRead });
      expect(findings(report)).to.deep.equal({
        missingInCidaas: ['4'],
        deletedButPresent: ['5', '6'],
        differing: [
          { key: '8', sub: 'legacy-8', groups: ['profile'] },
          { key: '11', sub: 'legacy-11', groups: ['email'] },
          { key: '13', sub: 'legacy-13', groups: ['modified-in-cidaas'] },
          { key: '14', sub: 'legacy-14', groups: ['password'] },
        ],
        unmappable: [],
        deadLetters: [],
      });
      expect(report.equal).to.equal(false);
      expect(report.cidaasRead).to.equal(cidaasRead);
      expect(report.counts).to.deep.include({ missingInCidaas: 1, deletedButPresent: 2, differing: 4, unmappable: 0, deadLetters: 0 });
      expect(report.orphansChecked).to.equal(1);
      expect(report.rechecked).to.equal(true);
      const summary = formatVerifySummary(report);
      expect(summary).to.match(/^verify: DIFFERENCES FOUND/);
      expect(summary).to.match(/missing in cidaas\s+1\s+e\.g\. 4/);
      expect(summary).to.match(/present in cidaas but deleted in legacy\s+2\s+e\.g\. 5, 6/);
      expect(summary).to.include('8 (profile)');
      expectNoSecrets(report);
    });
  }

  it('names a profile field altered in cidaas, and the alteration itself when cidaas dates it after the push', async () => {
    w.alter(9, (u) => ({ ...u, given_name: 'Eve' }));
    const report = await w.verify();
    expect(report.differing).to.deep.equal([{ key: '9', sub: 'legacy-9', groups: ['profile', 'modified-in-cidaas'] }]);
  });

  it('finds a phone number cleared in legacy that cidaas still has (an owned field the push leaves out)', async () => {
    await w.sql.query('UPDATE users SET phone = NULL WHERE id = 12');
    const report = await w.verify();
    expect(report.differing).to.deep.equal([{ key: '12', sub: 'legacy-12', groups: ['profile'] }]);
  });

  it('finds a password removed in cidaas through has_password', async () => {
    w.alter(15, ({ password_hash_info: _pw, ...u }) => ({ ...u, updatedTime: PUSHED_AT.toISOString() }));
    const report = await w.verify();
    expect(report.differing).to.deep.equal([{ key: '15', sub: 'legacy-15', groups: ['password'] }]);
  });

  it('finds a TOTP secret replaced in cidaas through its updatedTime, and one removed there through mfa.totp.enrolled', async () => {
    w.alter(3, (u) => ({ ...u, mfa: { totp: { secret: totpSecret(), algorithm: 'SHA1', digits: 6, period: 30 } } }));
    w.alter(18, (u) => ({ ...u, mfa: {}, mfa_enabled: false, updatedTime: PUSHED_AT.toISOString() }));
    const report = await w.verify();
    expect(report.differing).to.deep.equal([
      { key: '3', sub: 'legacy-3', groups: ['modified-in-cidaas'] },
      { key: '18', sub: 'legacy-18', groups: ['mfa'] },
    ]);
    expect(report.counts.differingByGroup).to.deep.equal({ profile: 0, email: 0, password: 0, mfa: 1, groups: 0, identities: 0, 'modified-in-cidaas': 1 });
  });

  it('finds a legacy TOTP change that was not pushed yet through the stored fingerprint', async () => {
    const secret = totpSecret();
    w.secrets.add(secret);
    await w.sql.query('UPDATE totp_devices SET secret_base32 = $1 WHERE user_id = 21', [secret]);
    const report = await w.verify();
    expect(report.differing).to.deep.equal([{ key: '21', sub: 'legacy-21', groups: ['mfa'] }]);
    expectNoSecrets(report);
  });

  it('lists users in the dead-letter list and counts them as a difference', async () => {
    await w.store.recordOutcomes([{ kind: 'dead', key: '7', reason: 'email already exists', at: new Date(), permanent: true }]);
    const report = await w.verify();
    expect(findings(report)).to.deep.equal({ ...NONE, deadLetters: [{ key: '7', reason: 'email already exists', attempts: 1 }] });
    expect(report.equal).to.equal(false);
    expect(formatVerifySummary(report)).to.match(/in the dead-letter list\s+1\s+e\.g\. 7 \(email already exists; 1 attempts\)/);
  });

  it('reports a legacy user the mapping cannot turn into a cidaas user, with the reason', async () => {
    await w.sql.query("UPDATE credentials SET password_hash = '$2x$04$' || repeat('a', 53) WHERE user_id = 22");
    await w.sql.query("UPDATE users SET email = NULL, phone = NULL, login = NULL WHERE id = 23");
    const report = await w.verify();
    expect(report.unmappable.map((u) => u.key)).to.deep.equal(['22', '23']);
    expect(report.unmappable[0]!.reason).to.match(/^password: bcrypt variant "\$2x\$"/);
    expect(report.unmappable[1]!.reason).to.match(/^no identifier/);
    expect(report.equal).to.equal(false);
  });

  it('does not report a deleted legacy user that the sync already purged from cidaas', async () => {
    await w.sql.query('DELETE FROM users WHERE id = 30');
    await w.client.purge(w.sub(30));
    await w.store.recordOutcomes([{ kind: 'deleted', key: '30', sub: w.sub(30), at: new Date() }]);
    const report = await w.verify();
    expect(findings(report)).to.deep.equal(NONE);
    expect(report).to.include({ equal: true, legacyUsers: 39, checked: 39, orphansChecked: 1 });
  });

  it('checks a uniform random sample of N users with --sample N, marked as a sample', async () => {
    w.emu.reset(); // cidaas lost everyone: every checked user is missing
    let seed = 7;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const report = await w.verify({ sample: 10, random, recheck: false });
    expect(report).to.include({ sample: 10, legacyUsers: 40, checked: 10 });
    expect(report.missingInCidaas).to.have.length(10);
    expect(new Set(report.missingInCidaas).size).to.equal(10);
    const numeric = report.missingInCidaas.map(Number);
    expect(numeric).to.deep.equal([...numeric].sort((a, b) => a - b), 'sampled keys come in key order');
    expect(formatVerifySummary(report)).to.include('a random SAMPLE of 10 of 40 legacy users');
  });

  it('caps the lists in the report and keeps the counts exact', async () => {
    for (const k of [2, 4, 6, 8, 10]) await w.client.purge(w.sub(k));
    const report = await w.verify({ listCap: 3 });
    expect(report.missingInCidaas).to.deep.equal(['2', '4', '6']);
    expect(report.counts.missingInCidaas).to.equal(5);
    expect(formatVerifySummary(report, { examples: 2 })).to.match(/missing in cidaas\s+5\s+e\.g\. 2, 4, … 3 more/);
  });

  it('calls the progress callback after every page', async () => {
    const calls: [number, number | null][] = [];
    await w.verify({ pageSize: 10, onProgress: (done, total) => calls.push([done, total]) });
    expect(calls.map((c) => c[0])).to.deep.equal([10, 20, 30, 40]);
    expect(calls[0]![1]).to.be.a('number').and.to.be.greaterThan(0);
  });

  it('stops when its signal is aborted and says the report is incomplete', async () => {
    const signal = { aborted: false };
    const report = await w.verify({ signal, onProgress: () => { signal.aborted = true; } });
    expect(report.complete).to.equal(false);
    expect(report.equal).to.equal(false);
    expect(report.checked).to.be.lessThan(40);
    expect(formatVerifySummary(report)).to.match(/^verify: INCOMPLETE/);
  });

  it('reads by GET when cidaas refuses the search, and says so in the log', async () => {
    await w.client.purge(w.sub(17));
    w.emu.addFaults([{ path: '/user-srv/graph/users', status: 400 }]);
    const report = await w.verify();
    expect(report.cidaasRead).to.equal('get');
    expect(report.missingInCidaas).to.deep.equal(['17']);
    expect(w.logger.lines.some((l) => l.level === 'warn' && /one GET per user/.test(l.message))).to.equal(true);
  });

  it('repeats a page when cidaas fails past the client retry budget, and then succeeds', async () => {
    // 4 attempts per call in the test client: the first page's first GET gives up once, its repeat goes through.
    w.emu.addFaults([{ path: '/user-srv/users/*', status: 503, times: 5 }]);
    const report = await w.verify({ cidaasRead: 'get', concurrency: 1 });
    expect(report.equal).to.equal(true);
    expect(w.logger.lines.some((l) => l.level === 'warn' && /repeating it/.test(l.message))).to.equal(true);
  });

  it('fails with an error naming the page when cidaas stays down', async () => {
    w.emu.addFaults([{ path: '/user-srv/users/*', status: 503 }]);
    let error: unknown;
    try {
      await w.verify({ cidaasRead: 'get', pageAttempts: 2, concurrency: 4 });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(SyncError);
    const e = error as SyncError;
    expect(e.code).to.equal('CIDAAS_UNAVAILABLE');
    expect(e.message).to.match(/^verify stopped at legacy keys 1\.\.10: .* \(the page was tried 2 times\)$/);
    expect(e.hint).to.match(/verify only reads/);
  });

  it('drops a finding that a concurrent push fixed before the recheck, and keeps it without the recheck', async () => {
    const original = w.stored(8);
    const restoreAtEnd = (done: number): void => {
      if (done === 40) w.emu.seed([original]);
    };
    w.alter(8, (u) => ({ ...u, given_name: 'Mallory', updatedTime: PUSHED_AT.toISOString() }));
    const rechecked = await w.verify({ onProgress: restoreAtEnd });
    expect(rechecked).to.include({ equal: true, rechecked: true });

    w.alter(8, (u) => ({ ...u, given_name: 'Mallory', updatedTime: PUSHED_AT.toISOString() }));
    const firstLook = await w.verify({ onProgress: restoreAtEnd, recheck: false });
    expect(firstLook.differing).to.deep.equal([{ key: '8', sub: 'legacy-8', groups: ['profile'] }]);
  });

  it('with onDelete lock, accepts a deleted legacy user that is LOCKED in cidaas and reports one that is not', async () => {
    await w.sql.query('UPDATE users SET deleted_at = now() WHERE id IN (5, 6)');
    w.alter(5, (u) => ({ ...u, userStatus: 'LOCKED' }));
    const report = await w.verify({ onDelete: 'lock' });
    expect(report.deletedButPresent).to.deep.equal(['6']);
  });

  it('leaves alone the users the mapping module skips, and counts them', async () => {
    const mapper = new UserMapper(w.config, (entity, legacy) => (legacy.key === '9' ? 'skip' : entity));
    w.alter(9, (u) => ({ ...u, given_name: 'Eve' }));
    const report = await w.verify({ mapper });
    expect(report).to.include({ equal: true, checked: 40, skipped: 1 });
  });

  it('writes the report as JSON', async () => {
    await w.client.purge(w.sub(2));
    const report = await w.verify();
    const dir = join(tmpdir(), `verify-report-${process.pid}-${Date.now()}`);
    try {
      await writeVerifyReport(report, join(dir, 'reports', 'verify.json'));
      expect(JSON.parse(await readFile(join(dir, 'reports', 'verify.json'), 'utf8'))).to.deep.equal(report);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
