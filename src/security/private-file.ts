import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Mode of the files cidaas-sync writes that hold user data (state store, reports): owner only. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of a directory cidaas-sync creates for them. */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Makes sure `path` exists as a file only its owner may read and write, in a directory that, when
 * cidaas-sync creates it, only its owner may enter. A new file is created exclusively (never
 * through a link someone put there); an existing one of ours is narrowed to 0600. SQLite gives the
 * WAL and shared-memory files the mode of the database file.
 */
export function preparePrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  try {
    closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const stat = statSync(path);
    if ((stat.mode & 0o077) !== 0 && stat.uid === process.getuid?.()) chmodSync(path, PRIVATE_FILE_MODE);
  }
}
