import { expect } from 'chai';
import { nodeTlsOptions } from '../../../src/security/database-tls.js';
import { tlsOf } from '../../../src/security/database-url.js';
import { pgConnectionConfig } from '../../../src/security/pg-connection-config.js';
import { mysqlConnectionOptions } from '../../../adapters/mysql/mysql-connection-options.js';
import { issueAt, minimalConfig, parse, rejection } from '../config/config-test-helpers.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

function withSource(source: Record<string, unknown>): Record<string, Record<string, unknown>> {
  return { ...minimalConfig(), source: { kind: 'postgres', ...source } };
}

describe('source.tls and state.tls (#13)', () => {
  for (const [url, param] of [
    ['postgres://sync:pw@localhost/shop?sslmode=require', 'sslmode'],
    ['postgres://sync:pw@localhost/shop?ssl=true', 'ssl'],
    ['postgres://sync:pw@localhost/shop?sslrootcert=/etc/ca.pem', 'sslrootcert'],
  ] as const) {
    it(`refuses \`${param}=\` in the URL, naming source.tls`, async () => {
      const message = issueAt(await rejection(withSource({ url })), 'source.url');
      expect(message).to.include(`\`${param}=\``).and.to.include('source.tls').and.not.include('pw');
    });
  }

  it('refuses the MySQL forms (`ssl-mode=REQUIRED`, `ssl=true`) too', async () => {
    for (const q of ['ssl-mode=REQUIRED', 'ssl=true', 'sslmode=require']) {
      const err = await rejection({ ...minimalConfig(), source: { kind: 'mysql', url: `mysql://sync:pw@localhost/shop?${q}` } });
      expect(issueAt(err, 'source.url')).to.include('source.tls');
    }
  });

  it('refuses plaintext to another machine unless `tls: disable` is written', async () => {
    const message = issueAt(await rejection(withSource({ url: 'postgres://sync:pw@db.internal/shop' })), 'source.tls');
    expect(message).to.include('db.internal').and.to.include('tls: disable').and.to.include('verify-full');
    const config = await parse(withSource({ url: 'postgres://sync:pw@db.internal/shop', tls: 'disable' }));
    expect(tlsOf(config.source.url)).to.deep.equal({ mode: 'disable' });
    expect(pgConnectionConfig(config.source.url).ssl).to.equal(false);
  });

  it('refuses plaintext to a state store on another machine', async () => {
    const err = await rejection({ ...minimalConfig(), state: { url: 'mysql://st:pw@state-db/cs' } });
    expect(issueAt(err, 'state.tls')).to.include('state-db');
  });

  it('takes plaintext to this machine without asking', async () => {
    for (const url of ['postgres://sync:pw@localhost/shop', 'postgres://sync:pw@127.0.0.1/shop', 'postgres://sync:pw@[::1]/shop']) {
      const config = await parse(withSource({ url }));
      expect(tlsOf(config.source.url)?.mode, url).to.equal('disable');
    }
  });

  it('maps verify-full with a CA and a client certificate onto pg and mysql2', async () => {
    const tls = { mode: 'verify-full', ca: PEM, cert: PEM, key: 'client-key-pem' };
    const pgConfig = await parse(withSource({ url: 'postgres://sync:pw@db.internal/shop', tls }));
    expect(pgConnectionConfig(pgConfig.source.url)).to.deep.equal({
      connectionString: 'postgres://sync:pw@db.internal/shop',
      ssl: { rejectUnauthorized: true, verifyIdentity: true, ca: PEM, cert: PEM, key: 'client-key-pem' },
    });
    const myConfig = await parse({ ...minimalConfig(), source: { kind: 'mysql', url: 'mysql://sync:pw@db.internal/shop', tls: 'require' } });
    expect(mysqlConnectionOptions(myConfig.source.url).ssl).to.deep.equal({ rejectUnauthorized: false, verifyIdentity: false });
    expect(String(pgConfig.source.url)).to.equal('[redacted]');
  });

  it('does not print the client key', async () => {
    const config = await parse(withSource({ url: 'postgres://sync:pw@db.internal/shop', tls: { mode: 'require', cert: PEM, key: 'client-key-pem' } }));
    expect(JSON.stringify(config)).to.not.include('client-key-pem');
    expect(nodeTlsOptions({ mode: 'disable' })).to.equal(undefined);
  });

  it('refuses verify-full to a MySQL server named by IP address (mysql2 would not check it)', async () => {
    const err = await rejection({ ...minimalConfig(), source: { kind: 'mysql', url: 'mysql://sync:pw@10.0.0.5/shop', tls: 'verify-full' } });
    expect(issueAt(err, 'source.url')).to.include('IP address 10.0.0.5');
  });

  it('refuses half a client certificate, a CA that is not PEM, and state.tls on SQLite', async () => {
    const half = await rejection(withSource({ url: 'postgres://sync:pw@db.internal/shop', tls: { mode: 'require', cert: PEM } }));
    expect(issueAt(half, 'source.tls.key')).to.include('both `cert` and `key`');
    const notPem = await rejection(withSource({ url: 'postgres://sync:pw@db.internal/shop', tls: { mode: 'verify-full', ca: '/etc/ca.pem' } }));
    expect(issueAt(notPem, 'source.tls.ca')).to.include('${file:');
    const sqlite = await rejection({ ...minimalConfig(), state: { url: 'sqlite:./x.db', tls: 'require' } });
    expect(issueAt(sqlite, 'state.tls')).to.include('SQLite');
  });
});
