import path from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '../../../src/errors.js';
import { maskUrl, parseStateStoreUrl } from '../../../src/state/state-store-url.js';

describe('state store URL', function () {
  it('resolves a relative SQLite path against the working directory', function () {
    expect(parseStateStoreUrl('sqlite:./state/x.db', '/srv/app')).to.deep.equal({ kind: 'sqlite', path: '/srv/app/state/x.db', display: '/srv/app/state/x.db' });
    expect(parseStateStoreUrl('sqlite:///var/lib/x.db', '/srv/app')).to.include({ path: path.resolve('/var/lib/x.db') });
    expect(parseStateStoreUrl('sqlite::memory:')).to.include({ path: ':memory:' });
  });

  it('reads MySQL and MariaDB URLs with an encoded password and masks it for display', function () {
    const loc = parseStateStoreUrl('mariadb://sync:p%40ss%2Fw0rd@db.internal:3307/legacy?ssl=true');
    expect(loc).to.deep.equal({
      kind: 'mysql', flavor: 'mariadb', host: 'db.internal', port: 3307, username: 'sync', password: 'p@ss/w0rd',
      database: 'legacy', ssl: true, display: 'mariadb://sync:***@db.internal:3307/legacy?ssl=true',
    });
    expect(parseStateStoreUrl('mysql://u@h/d')).to.include({ flavor: 'mysql', port: 3306, password: '', ssl: false });
  });

  it('keeps a PostgreSQL URL whole for the driver and masks it for display', function () {
    const loc = parseStateStoreUrl('postgresql://sync:secret-pw@db:5432/legacy?sslmode=require');
    expect(loc).to.deep.equal({ kind: 'postgres', url: 'postgresql://sync:secret-pw@db:5432/legacy?sslmode=require', display: 'postgresql://sync:***@db:5432/legacy?sslmode=require' });
  });

  it('rejects unknown schemes and URLs without a database as configuration errors', function () {
    for (const url of ['redis://h/0', 'no-scheme', 'postgres://u:secret-pw@h:5432', 'mysql://h/', 'sqlite:']) {
      expect(() => parseStateStoreUrl(url), url).to.throw(ConfigError).that.satisfies((e: ConfigError) => !e.message.includes('secret-pw'));
    }
  });

  it('masks a password even in a URL it cannot parse', function () {
    expect(maskUrl('postgres://u:p@ss w@rd@h:99999/db')).to.equal('postgres://u:***@h:99999/db');
  });
});
