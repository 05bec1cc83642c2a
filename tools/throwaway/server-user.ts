import { chownSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';

/** The OS account a throwaway database server runs as. */
export interface ServerUser {
  /** Login name, for messages. */
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/**
 * The account to run a server as. PostgreSQL and MariaDB refuse to run as root, so
 * under root this is the first of `preferred` that exists in /etc/passwd, else
 * `nobody`. When not root it is undefined: the server runs as the current user.
 */
export function resolveServerUser(preferred: readonly string[]): ServerUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const accounts = readPasswd();
  for (const name of [...preferred, 'nobody']) {
    const account = accounts.get(name);
    if (account) return account;
  }
  throw new Error(
    `running as root but none of the accounts ${[...preferred, 'nobody'].join(', ')} exists: ` +
      'database servers refuse to run as root; create one of them or run as another user',
  );
}

/** Gives `path` to `user` (no-op when the server runs as the current user). */
export function handOver(path: string, user: ServerUser | undefined): void {
  if (user) chownSync(path, user.uid, user.gid);
}

/**
 * The directory to create server temp dirs in: the OS temp dir, unless `user` could
 * not reach it (e.g. TMPDIR under /root), then /tmp.
 */
export function serverTempBase(user: ServerUser | undefined): string {
  const base = resolve(tmpdir());
  if (!user) return base;
  for (let dir = base; ; dir = dirname(dir)) {
    const stat = statSync(dir);
    const searchable = stat.uid === user.uid ? (stat.mode & 0o100) !== 0 : (stat.mode & 0o001) !== 0;
    if (!searchable) return '/tmp';
    if (dir === dirname(dir)) return base;
  }
}

/** True when `user` may search every directory from the root down to `path` (and so reach the file there). */
export function userCanReach(path: string, user: ServerUser): boolean {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    const stat = statSync(dir);
    const bit = stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}

function readPasswd(): Map<string, ServerUser> {
  const accounts = new Map<string, ServerUser>();
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (!name || uid === undefined || gid === undefined) continue;
    const account = { name, uid: Number(uid), gid: Number(gid) };
    if (Number.isInteger(account.uid) && Number.isInteger(account.gid)) accounts.set(name, account);
  }
  return accounts;
}
