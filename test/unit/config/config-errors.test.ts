import { tmpdir } from 'node:os';
import { expect } from 'chai';
import type { ConfigIssue } from '../../../config/config-path.js';
import { ExitCode } from '../../../src/errors.js';
import { issueAt, minimalConfig, rejection } from './config-test-helpers.js';

/** minimalConfig() with `section` merged with `patch`. */
function withSection(section: string, patch: Record<string, unknown>): Record<string, unknown> {
  const config = minimalConfig();
  return { ...config, [section]: { ...config[section], ...patch } };
}

describe('configuration errors', () => {
  it('rejects an unknown key and suggests the key it was probably meant to be', async () => {
    const cidaas = { ...minimalConfig().cidaas } as Record<string, unknown>;
    cidaas['clientSecrett'] = cidaas['clientSecret'];
    delete cidaas['clientSecret'];
    const err = await rejection({ ...minimalConfig(), cidaas });
    expect(issueAt(err, 'cidaas.clientSecrett')).to.equal('unknown key; did you mean `clientSecret`?');
    expect(err.message).to.include('cidaas.clientSecrett: unknown key; did you mean `clientSecret`?');
  });

  it('lists the allowed keys when an unknown key is like none of them', async () => {
    const err = await rejection(withSection('http', { colour: 'blue' }));
    expect(issueAt(err, 'http.colour')).to.equal('unknown key; allowed here: port, host, readyLagSeconds, wedgedSeconds, allowActions, actionToken');
  });

  it('rejects an unknown top-level section', async () => {
    const err = await rejection({ ...minimalConfig(), cidass: {} });
    expect(issueAt(err, 'cidass')).to.include('did you mean `cidaas`?');
  });

  it('rejects a value of the wrong type, saying what type it must be', async () => {
    const err = await rejection(withSection('users', { key: ['id', 'tenant'] }));
    expect(issueAt(err, 'users.key')).to.equal(
      'must be text, not a list (the column that identifies a user; it becomes the cidaas sub); write e.g. `key: id`',
    );
  });

  it('rejects a batchSize above 50 with the range cidaas accepts', async () => {
    const err = await rejection(withSection('cidaas', { batchSize: 60 }));
    expect(issueAt(err, 'cidaas.batchSize')).to.equal(
      'must be at most 50, not `60` (cidaas accepts 1..50 users per bulk call); write e.g. `batchSize: 50`',
    );
  });

  it('rejects a concurrency below 1', async () => {
    const err = await rejection(withSection('cidaas', { concurrency: 0 }));
    expect(issueAt(err, 'cidaas.concurrency')).to.include('must be at least 1');
  });

  it('names a missing required key and shows what to write', async () => {
    const config = minimalConfig();
    delete config['users']?.['table'];
    const err = await rejection(config);
    expect(issueAt(err, 'users.table')).to.equal('missing (the table with one row per user); write e.g. `table: public.users`');
  });

  it('names a missing required section', async () => {
    const config: Record<string, unknown> = minimalConfig();
    delete config['cidaas'];
    const err = await rejection(config);
    expect(issueAt(err, 'cidaas')).to.match(/^missing; write e\.g\. `cidaas: \{ baseUrl: /);
  });

  it('rejects a value outside an enum and lists the allowed values', async () => {
    const err = await rejection(withSection('cidaas', { onDelete: 'delete' }));
    expect(issueAt(err, 'cidaas.onDelete')).to.match(/^must be one of `purge`, `lock`, `ignore`, not `delete`/);
  });

  it('rejects an unknown source kind', async () => {
    const err = await rejection(withSection('source', { kind: 'oracle' }));
    expect(issueAt(err, 'source.kind')).to.equal('must be one of `postgres`, `mysql`, not `oracle`; write e.g. `kind: postgres`');
  });

  it('rejects a cidaas baseUrl that is not a URL', async () => {
    const err = await rejection(withSection('cidaas', { baseUrl: 'acme.cidaas.eu' }));
    expect(issueAt(err, 'cidaas.baseUrl')).to.equal('is not a URL (your cidaas tenant); write e.g. `baseUrl: https://acme.cidaas.eu`');
  });

  it('rejects http to a host other than localhost', async () => {
    const err = await rejection(withSection('cidaas', { baseUrl: 'http://acme.cidaas.eu' }));
    expect(issueAt(err, 'cidaas.baseUrl')).to.include('http is only allowed for localhost and 127.0.0.1; write https://acme.cidaas.eu');
  });

  it('rejects a source URL whose scheme does not fit the source kind', async () => {
    const err = await rejection(withSection('source', { url: 'mysql://sync@db/shop' }));
    expect(issueAt(err, 'source.url')).to.include('has scheme `mysql:`').and.include('schemes: postgres:, postgresql:');
  });

  it('rejects an unknown cidaas field and lists the allowed ones', async () => {
    const err = await rejection(withSection('users', { fields: { mail: 'email' } }));
    const message = issueAt(err, 'users.fields.mail');
    expect(message).to.match(/^unknown cidaas field; did you mean `email`\? Allowed: email, email_verified, given_name/);
    expect(message).to.include('lastLoggedInTime');
  });

  it('rejects a column name that needs quoting', async () => {
    const err = await rejection(withSection('users', { fields: { email: 'e mail' } }));
    expect(issueAt(err, 'users.fields.email')).to.include('must be a plain column name').and.include('write e.g. `email: <column>`');
  });

  it('rejects an unknown password algorithm', async () => {
    const err = await rejection({ ...minimalConfig(), password: { hash: 'pw', algorithm: 'BCRYPT_99' } });
    expect(issueAt(err, 'password.algorithm')).to.include('must be `auto`, a cidaas algorithmTypeId');
  });

  it('suggests `column` for a misspelt key in password.algorithm', async () => {
    const err = await rejection({ ...minimalConfig(), password: { hash: 'pw', algorithm: { colum: 'hash_algo' } } });
    expect(issueAt(err, 'password.algorithm.colum')).to.equal('unknown key; did you mean `column`?');
  });

  it('rejects a custom field key cidaas cannot hold, showing a valid entry', async () => {
    const err = await rejection(withSection('users', { customFields: { 'customer-no': 'customer_number' } }));
    expect(issueAt(err, 'users.customFields.customer-no')).to.equal(
      'must be a cidaas custom field key (letters, digits, `_`); write e.g. `customFields: { customer_no: customer_number }`',
    );
  });

  it('names the key and the variable when an environment variable is not set', async () => {
    const err = await rejection(withSection('cidaas', { clientId: '${CIDAAS_CLIENT_ID}' }), {});
    expect(issueAt(err, 'cidaas.clientId')).to.include('environment variable CIDAAS_CLIENT_ID is not set; export it');
  });

  it('names the key and the path when a ${file:} cannot be read', async () => {
    const err = await rejection(withSection('cidaas', { clientSecret: '${file:/nonexistent/cidaas_secret}' }));
    expect(issueAt(err, 'cidaas.clientSecret')).to.include('cannot read /nonexistent/cidaas_secret (ENOENT)');
  });

  it('reports a YAML syntax error with its line and column', async () => {
    const err = await rejection('source:\n  kind: postgres\n    url: x\n');
    expect(err.issues[0]?.message).to.match(/^line 2, column 9: Nested mappings are not allowed/);
    expect((err.issues[0] as ConfigIssue | undefined)?.line).to.equal(2);
  });

  it('reports a key written twice', async () => {
    const err = await rejection('http:\n  port: 1\n  port: 2\n');
    expect(err.message).to.match(/line 3, column 3: .*unique/i);
  });

  it('rejects an empty file', async () => {
    const err = await rejection('# nothing yet\n');
    expect(err.message).to.include('the file is empty');
  });

  it('rejects a file whose top level is a list', async () => {
    const err = await rejection('- source\n- users\n');
    expect(err.message).to.include('the top level must be a mapping');
  });

  it('requires password.userKey when password.table is set', async () => {
    const err = await rejection({ ...minimalConfig(), password: { table: 'credentials', hash: 'pw' } });
    expect(issueAt(err, 'password.userKey')).to.include('missing: password.table is set').and.include('write e.g. `userKey: user_id`');
  });

  it('requires mfa.userKey when mfa.table is set', async () => {
    const err = await rejection({ ...minimalConfig(), mfa: { table: 'totp_devices', secret: 'key' } });
    expect(issueAt(err, 'mfa.userKey')).to.include('missing: mfa.table is set');
  });

  it('rejects password.userKey without password.table', async () => {
    const err = await rejection({ ...minimalConfig(), password: { userKey: 'user_id', hash: 'pw' } });
    expect(issueAt(err, 'password.userKey')).to.include('is only used with password.table');
  });

  it('rejects the softDelete column in ignoreColumns', async () => {
    const err = await rejection(withSection('users', { softDelete: { column: 'deleted_at' }, ignoreColumns: ['seen_at', 'deleted_at'] }));
    expect(issueAt(err, 'users.ignoreColumns[1]')).to.include('`deleted_at`, which users.softDelete.column reads');
  });

  it('rejects a mapped column in ignoreColumns', async () => {
    const err = await rejection(withSection('users', { ignoreColumns: ['email'] }));
    expect(issueAt(err, 'users.ignoreColumns[0]')).to.include('which users.fields.email reads');
  });

  it('requires one of email, mobile_number or username without a mapping module', async () => {
    const err = await rejection(withSection('users', { fields: { given_name: 'first_name' } }));
    expect(issueAt(err, 'users.fields')).to.include('maps none of email, mobile_number, username');
  });

  it('rejects slot on a mysql source, naming the kind it belongs to', async () => {
    const err = await rejection({ ...minimalConfig(), source: { kind: 'mysql', url: 'mysql://u@db/app', slot: 'x' } });
    expect(issueAt(err, 'source.slot')).to.equal('is only for kind postgres, and this is kind mysql; remove it');
  });

  it('rejects serverId on a postgres source', async () => {
    const err = await rejection(withSection('source', { serverId: 7 }));
    expect(issueAt(err, 'source.serverId')).to.equal('is only for kind mysql, and this is kind postgres; remove it');
  });

  it('rejects a bare mysql table name when source.url names no database', async () => {
    const err = await rejection({ ...minimalConfig(), source: { kind: 'mysql', url: 'mysql://u:pw@db:3306' } });
    expect(issueAt(err, 'users.table')).to.include('names no database').and.include('write `table: <database>.users`');
  });

  it('rejects a cidaas field set both by a column and by an attribute', async () => {
    const err = await rejection({
      ...minimalConfig(),
      attributes: { table: 'usermeta', userKey: 'user_id', name: 'k', value: 'v', fields: { email: 'email' } },
    });
    expect(issueAt(err, 'attributes.fields.email')).to.include('is also set by users.fields.email');
  });

  it('reports every problem at once with exit code 2 and the line of each', async () => {
    const err = await rejection('source:\n  kind: postgres\n  url: postgres://db/x\n  slott: x\nusers:\n  key: id\ncidaas:\n  batchSize: 0\n');
    expect(err.exitCode).to.equal(ExitCode.config);
    expect(err.code).to.equal('CONFIG_INVALID');
    expect(err.issues.map((i) => i.path)).to.include.members(['source.slott', 'users.table', 'cidaas.baseUrl', 'cidaas.batchSize']);
    expect(err.message).to.include('source.slott: unknown key; did you mean `slot`? (line 4)');
    expect(err.message).to.include('cidaas.batchSize: must be at least 1, not `0`');
  });

  it('names the key when a ${file:} is a directory', async () => {
    const err = await rejection(withSection('cidaas', { clientSecret: '${file:.}' }), {}, tmpdir());
    expect(issueAt(err, 'cidaas.clientSecret')).to.include(`cannot read ${tmpdir()} (EISDIR)`);
  });
});
