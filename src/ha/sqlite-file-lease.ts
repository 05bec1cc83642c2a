import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hostname } from 'node:os';
import { createRequire } from 'node:module';
import type { LeaseBackend, LeaseIdentity, LeaseRow } from './lease-backend.js';

/** The few calls of better-sqlite3 (the driver of the SQLite state store) used here. */
interface SqliteDb {
  pragma(source: string): unknown;
  exec(sql: string): unknown;
  prepare(sql: string): { get(): unknown };
  close(): unknown;
}
type SqliteOpen = new (file: string, options: { timeout: number }) => SqliteDb;
const Database = createRequire(import.meta.url)('better-sqlite3') as SqliteOpen;

interface HolderNote {
  token: string;
  holder: string;
  host: string;
  pid: number;
  acquiredAt: number;
}

/**
 * The lease of a SQLite state store: an exclusive lock on a file beside it (`<state>.lease`), held
 * by an open SQLite connection in EXCLUSIVE locking mode. The operating system releases it when the
 * process dies, so a standby on the same host takes over at once; a paused process keeps it until
 * it resumes and steps down. It protects one host only: file locks do not reach across hosts (not
 * reliably over NFS either). `<state>.lease.json` names the holder for `status`.
 */
export class SqliteFileLease implements LeaseBackend {
  readonly #path: string;
  readonly fenceSql = null;
  #db: SqliteDb | null = null;

  constructor(statePath: string) {
    this.#path = `${statePath}.lease`;
  }

  async prepare(): Promise<void> {
    // The lock file is created by the first tryAcquire.
  }

  async tryAcquire(me: LeaseIdentity): Promise<string | null> {
    if (this.#db) return null;
    // The state store creates its directory when it opens; a standby gets here first.
    await mkdir(path.dirname(this.#path), { recursive: true });
    const db = new Database(this.#path, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('CREATE TABLE IF NOT EXISTS lease (id INTEGER PRIMARY KEY CHECK (id = 1), token INTEGER NOT NULL)');
      // The first write takes the exclusive lock; in EXCLUSIVE mode it is kept until the connection closes.
      db.exec('INSERT INTO lease (id, token) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET token = token + 1');
      const token = String((db.prepare('SELECT token FROM lease WHERE id = 1').get() as { token: number }).token);
      this.#db = db;
      const note: HolderNote = { token, holder: me.holder, host: me.host, pid: me.pid, acquiredAt: Date.now() };
      await writeFile(`${this.#path}.json`, JSON.stringify(note));
      return token;
    } catch (err) {
      if (this.#db !== db) db.close();
      if ((err as { code?: unknown }).code === 'SQLITE_BUSY') return null;
      throw err;
    }
  }

  async renew(): Promise<boolean> {
    return this.#db !== null;
  }

  async release(): Promise<void> {
    const db = this.#db;
    this.#db = null;
    if (!db) return;
    await rm(`${this.#path}.json`, { force: true });
    db.close();
  }

  async read(): Promise<LeaseRow | null> {
    let note: HolderNote;
    try {
      note = JSON.parse(await readFile(`${this.#path}.json`, 'utf8')) as HolderNote;
    } catch {
      return null;
    }
    if (note.host === hostname() && !alive(note.pid)) return { token: note.token, holder: null, host: null, pid: null, ageMs: null, renewedMsAgo: null, expiresInMs: null };
    return { token: note.token, holder: note.holder, host: note.host, pid: note.pid, ageMs: Date.now() - note.acquiredAt, renewedMsAgo: null, expiresInMs: null };
  }

  async close(): Promise<void> {
    await this.release();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: unknown }).code === 'EPERM';
  }
}
