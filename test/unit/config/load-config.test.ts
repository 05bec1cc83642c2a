import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { loadConfig, parseConfig } from '../../../config/load-config.js';
import { ConfigError, ExitCode } from '../../../src/errors.js';
import { Secret } from '../../../src/secret.js';
import { minimalConfig, parse } from './config-test-helpers.js';

const CONFIG_DIR = resolve(import.meta.dirname, '../../../config');

describe('loadConfig', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cidaas-sync-config-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** An example file with its Docker secrets directory moved to the test's temp dir. */
  async function loadExample(name: string, env: NodeJS.ProcessEnv) {
    await writeFile(join(dir, 'cidaas_client_secret'), 'example-client-secret\n');
    const text = (await readFile(join(CONFIG_DIR, name), 'utf8')).replaceAll('/run/secrets/', `${dir}/`);
    return parseConfig(text, { baseDir: CONFIG_DIR, env });
  }

  it('loads config/postgres.example.yaml with its environment variables and secret file', async () => {
    const config = await loadExample('postgres.example.yaml', {
      LEGACY_DATABASE_URL: 'postgres://cidaas_sync:db-pw@db:5432/shop',
      CIDAAS_CLIENT_ID: 'client-42',
    });
    expect(config.source.kind).to.equal('postgres');
    expect(config.users.table).to.deep.equal({ schema: 'public', name: 'users' });
    expect(config.password?.table).to.deep.equal({ schema: 'public', name: 'credentials' });
    expect(config.mfa?.userKey).to.equal('user_id');
    expect(config.cidaas.clientId).to.equal('client-42');
    expect(config.cidaas.clientSecret.reveal()).to.equal('example-client-secret');
    expect(config.state.url.reveal()).to.equal(`sqlite:${CONFIG_DIR}/state/cidaas-sync.db`);
  });

  it('loads config/mysql.example.yaml, taking the database of bare table names from source.url', async () => {
    const config = await loadExample('mysql.example.yaml', {
      WORDPRESS_DB_PASSWORD: 'wp-pw',
      CIDAAS_CLIENT_ID: 'client-42',
      STATE_DB_PASSWORD: 'state-pw',
    });
    expect(config.source.kind === 'mysql' && config.source.serverId).to.equal(4711);
    expect(config.users.table).to.deep.equal({ schema: 'wordpress', name: 'wp_users' });
    expect(config.attributes?.table).to.deep.equal({ schema: 'wordpress', name: 'wp_usermeta' });
    expect(config.password?.table).to.equal(undefined);
    expect(config.mapping).to.equal(join(CONFIG_DIR, 'mapping.example.ts'));
    expect(config.source.url.reveal()).to.equal('mysql://cidaas_sync:wp-pw@wordpress-db:3306/wordpress');
    expect(config.state.kind).to.equal('mysql');
  });

  it('fills every default for a minimal configuration', async () => {
    const config = await parse({ ...minimalConfig(), password: { hash: 'pw' }, mfa: { secret: 'totp' } });
    expect(config.source).to.include({ kind: 'postgres', slot: 'cidaas_sync', publication: 'cidaas_sync' });
    expect(config.users.customFields).to.deep.equal({});
    expect(config.users.ignoreColumns).to.deep.equal([]);
    expect(config.password?.algorithm).to.equal('auto');
    expect(config.mfa?.encoding).to.equal('base32');
    expect(config.sub.prefix).to.equal('legacy-');
    expect(config.cidaas).to.include({ batchSize: 50, concurrency: 4, onDelete: 'purge', requestTimeoutMs: 30_000 });
    expect(config.state.kind).to.equal('sqlite');
    expect(config.state.url.reveal()).to.equal('sqlite:/srv/cidaas-sync/state/cidaas-sync.db');
    expect(config.http).to.deep.equal({ port: 9464, host: '127.0.0.1', readyLagSeconds: 60, wedgedSeconds: 900, allowActions: false });
    expect(config.engine.maxDirtyUsers).to.equal(100_000);
    expect(config).to.not.have.property('mapping');
    expect(config).to.not.have.property('attributes');
  });

  it('gives a mysql source serverId 4711 unless set', async () => {
    const config = await parse({ ...minimalConfig(), source: { kind: 'mysql', url: 'mysql://sync:pw@db/legacy', tls: 'require' } });
    expect(config.source).to.include({ kind: 'mysql', serverId: 4711 });
    expect(config.users.table).to.deep.equal({ schema: 'legacy', name: 'users' });
  });

  it('splits schema.table and puts a bare Postgres table in schema public', async () => {
    const config = await parse({
      ...minimalConfig(),
      users: { table: 'shop.customers', key: 'id', fields: { email: 'email' } },
      mfa: { table: 'totp', userKey: 'user_id', secret: 'key' },
    });
    expect(config.users.table).to.deep.equal({ schema: 'shop', name: 'customers' });
    expect(config.mfa?.table).to.deep.equal({ schema: 'public', name: 'totp' });
  });

  it('resolves mapping and a sqlite state path against the YAML file directory', async () => {
    const file = join(dir, 'sync.yaml');
    await writeFile(file, stringify({ ...minimalConfig(), mapping: './map.ts', state: { url: 'sqlite:data/state.db' } }));
    const config = await loadConfig(file, {});
    expect(config.mapping).to.equal(join(dir, 'map.ts'));
    expect(config.state.url.reveal()).to.equal(`sqlite:${dir}/data/state.db`);
    expect(config.state.redactedUrl).to.equal(`sqlite:${dir}/data/state.db`);
  });

  it('returns a deep-frozen configuration', async () => {
    const config = await parse({ ...minimalConfig(), users: { ...minimalConfig().users, ignoreColumns: ['seen_at'] } });
    expect(Object.isFrozen(config)).to.equal(true);
    expect(Object.isFrozen(config.cidaas)).to.equal(true);
    expect(Object.isFrozen(config.users.table)).to.equal(true);
    expect(Object.isFrozen(config.users.ignoreColumns)).to.equal(true);
    expect(() => {
      (config.cidaas as { batchSize: number }).batchSize = 10;
    }).to.throw(TypeError);
  });

  it('keeps source.url, cidaas.clientSecret and state.url as Secrets that print redacted', async () => {
    const config = await parse({
      ...minimalConfig(),
      state: { url: 'postgres://state:state-pw@db/state', tls: 'verify-full' },
    });
    expect(config.source.url).to.be.instanceOf(Secret);
    expect(config.cidaas.clientSecret).to.be.instanceOf(Secret);
    expect(config.state.url).to.be.instanceOf(Secret);
    const printed = JSON.stringify(config) + String(config.cidaas.clientSecret);
    expect(printed).to.not.include('client-secret-1');
    expect(printed).to.not.include('state-pw');
    expect(config.source.redactedUrl).to.equal('postgres://sync:***@localhost:5432/shop');
  });

  it('substitutes ${ENV} inside a value and takes digits from the environment as numbers', async () => {
    const config = await parse(
      {
        ...minimalConfig(),
        source: { kind: 'postgres', url: 'postgres://sync:${DB_PW}@db/shop', tls: 'verify-full' },
        cidaas: { ...minimalConfig().cidaas, batchSize: '${BATCH}' },
      },
      { DB_PW: 'p@ss', BATCH: '25' },
    );
    expect(config.source.url.reveal()).to.equal('postgres://sync:p%40ss@db/shop'); // URL-encoded inside a URL (#13)
    expect(config.cidaas.batchSize).to.equal(25);
  });

  it('reads ${file:} relative to the YAML directory without the final newline, and keeps $${ literal', async () => {
    await writeFile(join(dir, 'secret.txt'), 'line-1\nline-2\n');
    const config = await parse(
      { ...minimalConfig(), cidaas: { ...minimalConfig().cidaas, clientSecret: '${file:secret.txt}' }, sub: { prefix: 'a$${b}' } },
      {},
      dir,
    );
    expect(config.cidaas.clientSecret.reveal()).to.equal('line-1\nline-2');
    expect(config.sub.prefix).to.equal('a${b}');
  });

  it('accepts http for a cidaas emulator on 127.0.0.1 and drops the trailing slash', async () => {
    const config = await parse({ ...minimalConfig(), cidaas: { ...minimalConfig().cidaas, baseUrl: 'http://127.0.0.1:8080/' } });
    expect(config.cidaas.baseUrl).to.equal('http://127.0.0.1:8080');
  });

  it('accepts a configuration without an identifier field when a mapping module is given', async () => {
    const config = await parse({ ...minimalConfig(), users: { table: 'users', key: 'id' }, mapping: 'map.mjs' });
    expect(config.mapping).to.equal('/srv/cidaas-sync/map.mjs');
  });

  it('rejects a missing configuration file with exit code 2', async () => {
    try {
      await loadConfig(join(dir, 'missing.yaml'), {});
      expect.fail('loaded a missing file');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).exitCode).to.equal(ExitCode.config);
      expect((err as ConfigError).message).to.include('missing.yaml').and.include('ENOENT');
    }
  });
});
