import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { cliFixture, type CliFixture } from './cli-fixture.js';
import { described, jsonOf, runCli } from './cli-run.js';

interface PreviewJson {
  users: { key: string; sub: string; action: string; reason?: string; entity?: Record<string, unknown>; findings: { field: string; message: string }[] }[];
  summary: { users: number; findings: number; usersWithFindings: number };
}

const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('cidaas-sync preview', function () {
  this.timeout(60_000);
  let f: CliFixture;
  let hash: string;
  const ids: Record<string, number> = {};

  before(async () => {
    f = await cliFixture();
    hash = await bcrypt.hash('Preview-Pass-1!', 4);
    ids.good = await f.shop.insertUser({ email: 'good@example.com', phone: '+4915112345678', first_name: 'Good' });
    await f.shop.setPassword(ids.good, hash);
    await f.shop.setTotp(ids.good, TOTP_SECRET, true);
    ids.badEmail = await f.shop.insertUser({ email: 'not-an-email' });
    ids.badPhone = await f.shop.insertUser({ email: 'phone@example.com', phone: '0151 1234567' });
    ids.badHash = await f.shop.insertUser({ email: 'hash@example.com' });
    await f.shop.setPassword(ids.badHash, 'plaintext-password-123');
    ids.deleted = await f.shop.insertUser({ email: 'gone@example.com', deleted_at: new Date() });
    ids.badTotp = await f.shop.insertUser({ email: 'totp@example.com' });
    await f.shop.setTotp(ids.badTotp, 'not base32 at all!', true);
  });
  after(async () => { await f?.close(); });

  it('shows each entity with secrets redacted and lint findings, exits 0 and never contacts cidaas', async () => {
    const r = await runCli(['preview', '--limit', '10', '--json', '--config', f.config.path]);
    expect(r.code, described(r)).to.equal(0);
    const out = jsonOf<PreviewJson>(r);
    const byKey = new Map(out.users.map((u) => [u.key, u]));
    expect(out.users.map((u) => u.key)).to.deep.equal(Object.values(ids).map(String));

    const good = byKey.get(String(ids.good))!;
    expect(good).to.include({ action: 'upsert', sub: `legacy-${ids.good}` });
    expect(good.entity).to.deep.include({ email: 'good@example.com', given_name: 'Good', mobile_number: '+4915112345678', mfa_enabled: true });
    expect(good.entity!.password_hash_info).to.deep.equal({ algorithmTypeId: 'BCRYPT_4', passwordHash: '[redacted]' });
    expect((good.entity!.mfa as { totp: { secret: string } }).totp.secret).to.equal('[redacted]');
    expect(good.findings).to.deep.equal([]);

    expect(byKey.get(String(ids.badEmail))!.findings.map((x) => x.field)).to.deep.equal(['email']);
    expect(byKey.get(String(ids.badPhone))!.findings).to.deep.equal([
      { field: 'mobile_number', message: '"0151 1234567" is not E.164 (+ and 2 to 15 digits, e.g. +4915112345678)' },
    ]);
    expect(byKey.get(String(ids.badHash))).to.include({ action: 'invalid' });
    expect(byKey.get(String(ids.badHash))!.reason).to.match(/^password: /);
    expect(byKey.get(String(ids.deleted))).to.include({ action: 'delete', reason: 'soft-deleted (users.softDelete)' });
    expect(byKey.get(String(ids.badTotp))).to.include({ action: 'invalid' });
    expect(byKey.get(String(ids.badTotp))!.reason).to.match(/^mfa: /);
    expect(out.summary).to.deep.equal({ users: 6, findings: 4, usersWithFindings: 4 });

    for (const secret of [hash, hash.slice(7), TOTP_SECRET, 'plaintext-password-123']) expect(r.stdout + r.stderr).not.to.include(secret);
    expect(f.emulator.stats().tokensIssued).to.equal(0);
    expect(f.emulator.stats().requests).to.deep.equal({});
  });

  it('prints readable entities and a summary line by default', async () => {
    const r = await runCli(['preview', '--limit', '2', '--config', f.config.path]);
    expect(r.code, described(r)).to.equal(0);
    expect(r.stdout).to.include(`user ${ids.good} -> legacy-${ids.good}: upsert`);
    expect(r.stdout).to.include('"passwordHash": "[redacted]"');
    expect(r.stdout).to.include(`user ${ids.badEmail} -> legacy-${ids.badEmail}: upsert\n`);
    expect(r.stdout).to.include('  ! email: "not-an-email" is not an email address (local@domain.tld)');
    expect(r.stdout.trimEnd().split('\n').at(-1)).to.equal('2 users previewed: 2 upsert, 0 delete, 0 skip, 0 invalid; 1 finding in 1 user');
    expect(r.stdout).not.to.include(hash.slice(7));
  });
});
