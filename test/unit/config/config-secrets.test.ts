import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { redactUrl } from '../../../config/config-fields.js';
import { issueAt, minimalConfig, rejection } from './config-test-helpers.js';

const SECRET = 'Sup3r-S3cret-Value';

describe('secrets in configuration errors', () => {
  it('shows a bad source.url with its password replaced by ***', async () => {
    const err = await rejection({ ...minimalConfig(), source: { kind: 'postgres', url: `mysql://sync:${SECRET}@db/shop` } });
    expect(issueAt(err, 'source.url')).to.include('(mysql://sync:***@db/shop)');
    expect(err.message + err.describe()).to.not.include(SECRET);
  });

  it('never prints a clientSecret of the wrong type', async () => {
    const err = await rejection({ ...minimalConfig(), cidaas: { ...minimalConfig().cidaas, clientSecret: [SECRET] } });
    expect(issueAt(err, 'cidaas.clientSecret')).to.include('must be text, not a list');
    expect(err.message).to.not.include(SECRET);
  });

  it('never echoes a value that came from the environment', async () => {
    const err = await rejection({ ...minimalConfig(), cidaas: { ...minimalConfig().cidaas, onDelete: '${ON_DELETE}' } }, { ON_DELETE: SECRET });
    expect(issueAt(err, 'cidaas.onDelete')).to.match(/^must be one of `purge`, `lock`, `ignore` \(/);
    expect(err.message).to.not.include(SECRET);
  });

  it('never prints a value read from a ${file:} that fails validation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cidaas-sync-secret-'));
    try {
      await writeFile(join(dir, 'batch'), `${SECRET}\n`);
      const err = await rejection({ ...minimalConfig(), cidaas: { ...minimalConfig().cidaas, batchSize: '${file:batch}' } }, {}, dir);
      expect(issueAt(err, 'cidaas.batchSize')).to.match(/^must be a number, not text \(/);
      expect(err.message).to.not.include(SECRET);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('redacts user-info in a rejected cidaas baseUrl', async () => {
    const err = await rejection({ ...minimalConfig(), cidaas: { ...minimalConfig().cidaas, baseUrl: `https://admin:${SECRET}@acme.cidaas.eu` } });
    expect(issueAt(err, 'cidaas.baseUrl')).to.include('https://admin:***@acme.cidaas.eu');
    expect(err.message).to.not.include(SECRET);
  });

  it('keeps the password of a mysql URL out of the missing-database message', async () => {
    const err = await rejection({ ...minimalConfig(), source: { kind: 'mysql', url: `mysql://u:${SECRET}@db:3306` } });
    expect(issueAt(err, 'users.table')).to.include('names no database');
    expect(err.message).to.not.include(SECRET);
  });

  it('redacts the password in user-info and in a password= query parameter', () => {
    expect(redactUrl('postgres://sync:p@ss/w:rd@db:5432/shop')).to.equal('postgres://sync:***@db:5432/shop');
    expect(redactUrl('postgres://db/shop?user=sync&password=hunter2&sslmode=require')).to.equal(
      'postgres://db/shop?user=sync&password=***&sslmode=require',
    );
    expect(redactUrl('mysql://reader@db/app')).to.equal('mysql://reader@db/app');
  });
});
