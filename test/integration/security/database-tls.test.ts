import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { loadConfig } from '../../../config/load-config.js';
import { openSource } from '../../../src/app/open-pipeline.js';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { openStateStore } from '../../../src/state/open-state-store.js';
import { startInProcessSidecar } from '../../support/in-process-sidecar.js';
import { startMariaDbServer, MARIADB_TEST_PASSWORD, type MariaDbServer } from '../../support/mariadb-server.js';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server.js';
import { getMariaDbServer, getPostgresServer } from '../../support/servers.js';
import { createShopSchema, openShopDb, type ShopDbKind } from '../../support/shop-schema.js';
import { makeTestCa, type TestCa } from '../../support/test-ca.js';
import { writeShopConfig } from '../../support/test-config.js';
import { seedUsers } from '../../support/user-generator.js';
import { waitFor } from '../../support/wait-for.js';

const CLIENT_ID = 'tls-suite';
const CLIENT_SECRET = 'tls-suite-secret-4711';
const DB = 'tls_shop';

/** A database server that speaks TLS only over TCP, its certificate signed by the run's test CA. */
interface TlsTarget {
  readonly kind: ShopDbKind;
  /** TCP URL to the shop database; `host` is the name in the certificate unless given. */
  tcpUrl(host?: string): string;
  /** Plaintext admin URL over the unix socket (the server allows plaintext only there). */
  readonly adminUrl: string;
  /** A plaintext-only server of the same kind (the run's shared one) and a database URL on it. */
  plaintextUrl(): Promise<string>;
  /** True when a plaintext TCP login is refused. */
  refusesPlaintext(): Promise<boolean>;
  /** Number of the sidecar's TCP sessions the server sees as TLS, 0 when it cannot tell (MariaDB refuses any other). */
  tlsSessions(): Promise<number>;
}

async function postgresTarget(ca: TestCa): Promise<TlsTarget> {
  const server: PostgresServer = await startPostgresServer({ tls: ca.server });
  const admin = `postgres://postgres@/${DB}?host=${encodeURIComponent(server.socketDir)}&port=${server.port}`;
  const c = new pg.Client({ host: server.socketDir, port: server.port, user: 'postgres', database: 'postgres' });
  await c.connect();
  await c.query(`CREATE DATABASE ${DB}`);
  await c.end();
  return {
    kind: 'postgres',
    tcpUrl: (host = 'localhost') => `postgres://postgres@${host}:${server.port}/${DB}`,
    adminUrl: admin,
    plaintextUrl: async () => (await getPostgresServer()).urlFor('postgres'),
    refusesPlaintext: async () => {
      const plain = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${server.port}/${DB}`, ssl: false });
      plain.on('error', () => undefined);
      return plain.connect().then(() => plain.end().then(() => false), () => true);
    },
    tlsSessions: async () => {
      const s = new pg.Client({ host: server.socketDir, port: server.port, user: 'postgres', database: DB });
      await s.connect();
      try {
        const r = await s.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE s.ssl AND a.application_name LIKE 'cidaas-sync%' AND a.backend_type = 'walsender'",
        );
        return Number(r.rows[0]?.n ?? 0);
      } finally {
        await s.end();
      }
    },
  };
}

async function mariadbTarget(ca: TestCa): Promise<TlsTarget> {
  const server: MariaDbServer = await startMariaDbServer({ tls: ca.server });
  const c = await mysql.createConnection({ socketPath: server.socketPath, user: 'root' });
  await c.query(`CREATE DATABASE ${DB}`);
  await c.end();
  return {
    kind: 'mysql',
    tcpUrl: (host = 'localhost') => `mysql://root:${MARIADB_TEST_PASSWORD}@${host}:${server.port}/${DB}`,
    adminUrl: `mysql://root@localhost/${DB}?socketPath=${encodeURIComponent(server.socketPath)}`,
    plaintextUrl: async () => (await getMariaDbServer()).urlFor('mysql'),
    refusesPlaintext: async () =>
      mysql.createConnection({ uri: `mysql://root:${MARIADB_TEST_PASSWORD}@127.0.0.1:${server.port}/${DB}` }).then(
        (x) => x.end().then(() => false),
        () => true,
      ),
    tlsSessions: () => Promise.resolve(0),
  };
}

for (const kind of ['postgres', 'mysql'] as const) {
  describe(`TLS to ${kind === 'postgres' ? 'PostgreSQL' : 'MariaDB'} (#13)`, function () {
    this.timeout(120_000);
    let ca: TestCa;
    let target: TlsTarget;
    let emu: RunningEmulator;
    let dir: string;

    before(async () => {
      ca = makeTestCa();
      target = kind === 'postgres' ? await postgresTarget(ca) : await mariadbTarget(ca);
      await createShopSchema({ kind, url: target.adminUrl }, { publication: 'cidaas_sync' });
      const shop = await openShopDb({ kind, url: target.adminUrl });
      try {
        await seedUsers(shop, 3, 13);
      } finally {
        await shop.close();
      }
      emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      dir = await mkdtemp(join(tmpdir(), 'cidaas-tls-'));
      await writeFile(join(dir, 'ca.pem'), ca.ca);
      await writeFile(join(dir, 'other-ca.pem'), ca.otherCa);
    });

    after(async () => {
      await emu?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function configFor(sourceUrl: string, tls: unknown, state?: { url: string; tls: unknown }) {
      const file = await writeShopConfig({
        kind, sourceUrl, emulatorUrl: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
        extra: { source: { tls }, ...(state ? { state } : {}) },
      });
      return { file, config: await loadConfig(file.path) };
    }

    /** The error the source's first connection fails with. */
    async function sourceError(sourceUrl: string, tls: unknown): Promise<Error> {
      let config: Awaited<ReturnType<typeof configFor>>;
      try {
        config = await configFor(sourceUrl, tls);
      } catch (err) {
        return err as Error; // refused by the configuration already
      }
      const { source, dialect } = await openSource(config.config, silentLogger);
      try {
        await source.currentPosition();
        return new Error('connected');
      } catch (err) {
        return err as Error;
      } finally {
        await source.stop().catch(() => undefined);
        await dialect.close().catch(() => undefined);
        await config.file.remove();
      }
    }

    const verifyFull = () => ({ mode: 'verify-full', ca: `\${file:${join(dir, 'ca.pem')}}` });

    it('the server refuses plaintext over TCP (so everything below ran over TLS)', async () => {
      expect(await target.refusesPlaintext()).to.equal(true);
    });

    it('verify-full: backfill, the log stream and the state store all run over TLS', async () => {
      const { file } = await configFor(target.tcpUrl(), verifyFull(), { url: target.tcpUrl(), tls: verifyFull() });
      const sidecar = await startInProcessSidecar(file.path);
      try {
        await sidecar.streaming();
        await waitFor(() => emu.userCount === 3, { timeoutMs: 30_000, message: 'the backfill did not push 3 users' });
        const shop = await openShopDb({ kind, url: target.adminUrl });
        try {
          await shop.insertUser({ email: 'streamed-over-tls@example.com', first_name: 'Tls' });
        } finally {
          await shop.close();
        }
        await waitFor(() => emu.users().some((u) => u.email === 'streamed-over-tls@example.com'), {
          timeoutMs: 30_000, message: 'the change did not arrive through the log stream',
        });
        if (kind === 'postgres') expect(await target.tlsSessions()).to.equal(1);
      } finally {
        await sidecar.stop();
        await file.remove();
      }
    });

    it('a certificate from another CA is refused', async () => {
      const err = await sourceError(target.tcpUrl(), { mode: 'verify-full', ca: `\${file:${join(dir, 'other-ca.pem')}}` });
      expect(err.message).to.match(/certificate/i).and.to.match(/source\.tls/);
    });

    it('a host name the certificate does not name is refused', async () => {
      // PostgreSQL refuses at connect; for MySQL the configuration refuses an IP address with
      // verify-full already, as mysql2 would not check it against the certificate.
      const err = await sourceError(target.tcpUrl('127.0.0.1'), verifyFull());
      expect(err.message).to.match(kind === 'postgres' ? /does not name the host in source\.url/ : /source\.url.*IP address 127\.0\.0\.1/s);
    });

    it('a plaintext-only server is refused when TLS is asked for', async () => {
      const plain = await target.plaintextUrl();
      const err = await sourceError(plain, 'require');
      expect(err.message).to.match(/TLS|SSL|secure/i).and.to.match(/source\.tls/);
    });

    it('the state store refuses a certificate from another CA', async () => {
      const { file, config } = await configFor(target.tcpUrl(), verifyFull(), {
        url: target.tcpUrl(), tls: { mode: 'verify-full', ca: `\${file:${join(dir, 'other-ca.pem')}}` },
      });
      try {
        const err = await openStateStore(config.state.url, { logger: silentLogger }).then(
          async (s) => { await s.close(); return new Error('opened'); },
          (e: unknown) => e as Error,
        );
        expect(err.message).to.match(/certificate/i).and.to.match(/state\.tls/);
      } finally {
        await file.remove();
      }
    });
  });
}
