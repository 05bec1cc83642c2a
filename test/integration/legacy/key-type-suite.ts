import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { request } from 'undici';
import { stringify } from 'yaml';
import { CidaasClient } from '../../../src/cidaas/cidaas-client.js';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { SyncError } from '../../../src/errors.js';
import type { LegacyReader } from '../../../src/legacy-reader.js';
import { loadConfig } from '../../../config/load-config.js';
import { openPipeline } from '../../../src/app/open-pipeline.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { SyncMetrics } from '../../../src/observability/metrics.js';
import { keyText } from '../../../src/digest/row-digest.js';
import { Secret } from '../../../src/secret.js';
import { ownedFieldsOf } from '../../../src/verify/owned-fields.js';
import { verifyUsers } from '../../../src/verify/verify-users.js';
import { startInProcessSidecar, type InProcessSidecar } from '../../support/in-process-sidecar.js';
import { uniqueName } from '../../support/servers.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { uniqueServerId } from '../../support/test-config.js';
import { waitFor } from '../../support/wait-for.js';
import { described, jsonOf, runCli } from '../cli/cli-run.js';
import { createScratchDb, type ScratchDb } from './key-type-db.js';

const CLIENT_ID = 'key-types';
const CLIENT_SECRET = 'key-types-secret-2020';
const PASSWORD = 'Key-Type-Pass-1!';

/** A key column type and five distinct values of it, as the driver takes them for an INSERT. */
export interface KeyType {
  readonly sqlType: string;
  readonly values: () => unknown[];
}

const bytes16 = (): Buffer[] => [Buffer.alloc(16, 0), Buffer.alloc(16, 0xff), ...Array.from({ length: 3 }, () => randomBytes(16))];

/** PostgreSQL: integer, bigint (beyond 2^53), text, uuid, bytea (with 0x00 and 0xff bytes). */
export const POSTGRES_KEY_TYPES: readonly KeyType[] = [
  { sqlType: 'integer', values: () => [1, 2, 3, 4, 2_000_000_000] },
  { sqlType: 'bigint', values: () => ['9007199254740993', '9007199254740994', '9007199254740995', '-5', '9223372036854775807'] },
  { sqlType: 'text', values: () => ['alice', 'Bob', 'carol.o\'brien@example.org', 'dörte', 'e v e'] },
  { sqlType: 'uuid', values: () => Array.from({ length: 5 }, () => randomUUID()) },
  { sqlType: 'bytea', values: bytes16 },
];

/** MariaDB: INT, BIGINT UNSIGNED (beyond 2^63), CHAR(36), VARCHAR, BINARY(16), VARBINARY. */
export const MYSQL_KEY_TYPES: readonly KeyType[] = [
  { sqlType: 'INT', values: () => [1, 2, 3, 4, 2_000_000_000] },
  { sqlType: 'BIGINT UNSIGNED', values: () => ['18446744073709551611', '18446744073709551612', '18446744073709551613', '9223372036854775808', '18446744073709551615'] },
  { sqlType: 'CHAR(36)', values: () => Array.from({ length: 5 }, () => randomUUID()) },
  { sqlType: 'VARCHAR(64)', values: () => ['alice', 'Bob', 'carol.o\'brien@example.org', 'dörte', 'e v e'] },
  { sqlType: 'BINARY(16)', values: bytes16 },
  { sqlType: 'VARBINARY(32)', values: () => [Buffer.from([0]), Buffer.from([0xff, 0x00]), randomBytes(7), randomBytes(32), Buffer.from('plain text')] },
];

/** The reader's methods bound to it, to override one in a copy. */
function bind(r: LegacyReader): LegacyReader {
  return {
    readUsers: (keys) => r.readUsers(keys), pageKeys: (after, limit) => r.pageKeys(after, limit),
    estimateUserCount: () => r.estimateUserCount(), close: () => r.close(),
  };
}

async function login(emu: RunningEmulator, sub: string, password: string): Promise<boolean> {
  const r = await request(`${emu.url}/_emulator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub, password }) });
  return ((await r.body.json()) as { ok: boolean }).ok;
}

/** The text form a key value has in cidaas-sync (the sub is `k-` and this). */
function textOf(value: unknown): string {
  return keyText(value)!;
}

async function writeConfig(db: ScratchDb, emu: RunningEmulator, dir: string): Promise<string> {
  const t = (name: string): string => (db.kind === 'postgres' ? `public.${name}` : name);
  const path = join(dir, 'cidaas-sync.yaml');
  await writeFile(path, stringify({
    source: db.kind === 'postgres'
      ? { kind: 'postgres', url: db.url, slot: uniqueName('slot'), publication: db.publication }
      : { kind: 'mysql', url: db.url, serverId: uniqueServerId() },
    users: { table: t('users'), key: 'id', fields: { email: 'email', given_name: 'first_name' } },
    password: { table: t('credentials'), userKey: 'user_id', hash: 'password_hash' },
    sub: { prefix: 'k-' },
    cidaas: { baseUrl: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, batchSize: 2, allowEmulator: true },
    state: { url: `sqlite:${join(dir, 'state.db')}` },
    http: { port: 0, host: '127.0.0.1' },
  }));
  return path;
}

/**
 * Every supported key type (#20): backfill, stream (insert, update, delete), dead letter and
 * `dlq retry`, `preview --after`, and verify, on a users table keyed by that type and
 * a password table keyed by the same type.
 */
export function defineKeyTypeSuite(kind: ShopDbKind, types: readonly KeyType[]): void {
  describe(`every key type against ${kind} (#20)`, function () {
    this.timeout(180_000);
    let emu: RunningEmulator;
    let hash: string;

    before(async () => {
      emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      hash = await bcrypt.hash(PASSWORD, 4);
    });
    after(async () => { await emu?.close(); });

    for (const type of types) {
      it(`syncs, streams, retries, previews and verifies users keyed by ${type.sqlType}`, async () => {
        emu.reset();
        const db = await createScratchDb(kind, 'keys');
        const dir = await mkdtemp(join(tmpdir(), 'cidaas-sync-keys-'));
        let sidecar: InProcessSidecar | undefined;
        try {
          await db.exec(`CREATE TABLE users (id ${type.sqlType} PRIMARY KEY, email VARCHAR(100), first_name VARCHAR(100))`);
          await db.exec(`CREATE TABLE credentials (user_id ${type.sqlType} PRIMARY KEY, password_hash VARCHAR(100))`);
          await db.publish(['users', 'credentials']);
          const [k0, k1, k2, k3, k4] = type.values();
          const sub = (k: unknown): string => `k-${textOf(k)}`;
          const addUser = async (k: unknown, email: string): Promise<void> => {
            await db.exec('INSERT INTO users (id, email, first_name) VALUES (?, ?, ?)', [k, email, 'First']);
            await db.exec('INSERT INTO credentials (user_id, password_hash) VALUES (?, ?)', [k, hash]);
          };
          await addUser(k0, 'u0@example.org');
          await addUser(k1, 'u1@example.org');
          await addUser(k2, 'u2@example.org');
          await addUser(k3, 'not-an-email'); // a dead letter until fixed
          const config = await writeConfig(db, emu, dir);

          sidecar = await startInProcessSidecar(config);
          await sidecar.streaming(60_000);
          for (const k of [k0, k1, k2]) expect(emu.getUser(sub(k)), `backfilled ${sub(k)}`).to.not.equal(undefined);
          expect(await login(emu, sub(k0), PASSWORD)).to.equal(true);
          const dead = await sidecar.pipeline.store.listDeadLetters();
          expect(dead.map((d) => d.key)).to.deep.equal([textOf(k3)]);
          const progress = await sidecar.pipeline.store.getBackfill();
          expect(progress?.usersDone).to.equal(4);

          await addUser(k4, 'u4@example.org');
          await db.exec('UPDATE users SET first_name = ? WHERE id = ?', ['Renamed', k1]);
          await db.exec('DELETE FROM credentials WHERE user_id = ?', [k2]);
          await db.exec('DELETE FROM users WHERE id = ?', [k2]);
          await waitFor(() => emu.getUser(sub(k4)) !== undefined && emu.getUser(sub(k1))?.given_name === 'Renamed' && emu.getUser(sub(k2)) === undefined,
            { timeoutMs: 30_000, message: () => `the stream did not converge; log:\n${sidecar!.logger.text().slice(-2000)}` });
          expect(await login(emu, sub(k4), PASSWORD)).to.equal(true);
          await sidecar.stop();
          sidecar = undefined;

          await db.exec('UPDATE users SET email = ? WHERE id = ?', ['u3@example.org', k3]);
          const ordered = (await db.exec('SELECT id FROM users ORDER BY id')).map((r) => textOf(r.id));
          // Independent of each other: run side by side.
          const [retried, preview] = await Promise.all([
            runCli(['dlq', 'retry', textOf(k3), '--config', config], { timeoutMs: 60_000 }),
            runCli(['preview', '--after', ordered[0]!, '--limit', '10', '--json', '--config', config], { timeoutMs: 60_000 }),
          ]);
          expect(retried.code, described(retried)).to.equal(0);
          expect(emu.getUser(sub(k3))?.email).to.equal('u3@example.org');
          expect(preview.code, described(preview)).to.equal(0);
          const shown = jsonOf<{ users: { key: string; sub: string; action: string }[] }>(preview).users;
          expect(shown.map((u) => u.key)).to.deep.equal(ordered.slice(1));
          expect(shown.every((u) => u.action === 'upsert' && u.sub === `k-${u.key}`)).to.equal(true);

          // verify through the parts `cidaas-sync verify` opens: both sides equal.
          const logger = new MemoryLogger();
          const p = await openPipeline(await loadConfig(config), { logger, metrics: new SyncMetrics() });
          const client = new CidaasClient({ baseUrl: emu.url, clientId: CLIENT_ID, clientSecret: new Secret(CLIENT_SECRET), logger, connections: 4, allowEmulator: true });
          try {
            const report = await verifyUsers({
              reader: p.reader, mapper: p.mapper, client, store: p.store, logger, concurrency: 4, cidaasRead: 'get',
              ownedFields: ownedFieldsOf(p.config), onDelete: p.config.cidaas.onDelete,
            });
            expect(report.legacyUsers).to.equal(4);
            expect(report.counts, JSON.stringify(report)).to.deep.include({ missingInCidaas: 0, deletedButPresent: 0, differing: 0, unmappable: 0 });
          } finally {
            await client.close();
            await p.close();
          }
        } finally {
          await sidecar?.stop();
          await db.drop();
          await rm(dir, { recursive: true, force: true });
        }
      });
    }

    it('verify counts a listed key it cannot read as a finding, never as equal', async () => {
      emu.reset();
      const db = await createScratchDb(kind, 'keys');
      const dir = await mkdtemp(join(tmpdir(), 'cidaas-sync-keys-'));
      const type = types[0]!;
      try {
        await db.exec(`CREATE TABLE users (id ${type.sqlType} PRIMARY KEY, email VARCHAR(100), first_name VARCHAR(100))`);
        await db.exec(`CREATE TABLE credentials (user_id ${type.sqlType} PRIMARY KEY, password_hash VARCHAR(100))`);
        await db.publish(['users', 'credentials']);
        const keys = type.values();
        for (const [i, k] of keys.entries()) await db.exec('INSERT INTO users (id, email, first_name) VALUES (?, ?, ?)', [k, `u${i}@example.org`, 'First']);
        const config = await writeConfig(db, emu, dir);
        const sidecar = await startInProcessSidecar(config);
        const logger = new MemoryLogger();
        const client = new CidaasClient({ baseUrl: emu.url, clientId: CLIENT_ID, clientSecret: new Secret(CLIENT_SECRET), logger, connections: 4, allowEmulator: true });
        try {
          await sidecar.streaming(60_000);
          const p = sidecar.pipeline;
          const lost = textOf(keys[2]);
          // Reads that find nothing for one listed key, as reads by an unmatched key did.
          const reader = { ...bind(p.reader), readUsers: async (ks: readonly string[]) => {
            const rows = await p.reader.readUsers(ks);
            if (rows.has(lost)) rows.set(lost, { ...rows.get(lost)!, user: null });
            return rows;
          } };
          const report = await verifyUsers({
            reader, mapper: p.mapper, client, store: p.store, logger, concurrency: 4, cidaasRead: 'get',
            ownedFields: ownedFieldsOf(p.config), onDelete: p.config.cidaas.onDelete,
          });
          expect(report.counts.unmappable, JSON.stringify(report)).to.equal(1);
          expect(report.unmappable[0]?.key).to.equal(lost);
        } finally {
          await client.close();
          await sidecar.stop();
        }
      } finally {
        await db.drop();
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('stops run at start on a composite primary key, naming the column and what to do', async () => {
      const db = await createScratchDb(kind, 'keys');
      const dir = await mkdtemp(join(tmpdir(), 'cidaas-sync-keys-'));
      try {
        await db.exec('CREATE TABLE users (realm_id VARCHAR(36) NOT NULL, id VARCHAR(36) NOT NULL, email VARCHAR(100), first_name VARCHAR(100), PRIMARY KEY (realm_id, id))');
        await db.exec('CREATE TABLE credentials (user_id VARCHAR(36) PRIMARY KEY, password_hash VARCHAR(100))');
        await db.publish(['users', 'credentials']);
        const config = await writeConfig(db, emu, dir);
        const err: unknown = await startInProcessSidecar(config).then(async (s) => { await s.stop(); return null; }, (e: unknown) => e);
        expect(err).to.be.instanceOf(SyncError);
        expect((err as SyncError).code).to.equal('SOURCE_KEY_UNSUPPORTED');
        expect((err as SyncError).message).to.contain('users.id (users.key)').and.contain('primary key is (realm_id, id)');
        expect((err as SyncError).hint).to.contain('CREATE UNIQUE INDEX');
        const run = await runCli(['run', '--config', config], { timeoutMs: 60_000 });
        expect(run.code, described(run)).to.equal(3);
        expect(run.stderr).to.contain('SOURCE_KEY_UNSUPPORTED');
      } finally {
        await db.drop();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
