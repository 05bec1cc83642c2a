import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { handOver, type ServerUser } from './server-user.js';

/** PEM texts that make a throwaway server speak TLS (and accept nothing else over TCP). */
export interface ServerTls {
  /** The server's certificate. */
  readonly cert: string;
  /** Its private key. */
  readonly key: string;
  /** CA of client certificates the server accepts (optional). */
  readonly ca?: string;
}

/** Where {@link writeServerTls} put the files. */
export interface ServerTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string | undefined;
}

/**
 * Writes the server's certificate, key and CA into `dir` (0600, owned by the server's account:
 * PostgreSQL refuses a key others can read).
 */
export function writeServerTls(dir: string, tls: ServerTls, user: ServerUser | undefined): ServerTlsFiles {
  const write = (name: string, pem: string): string => {
    const file = join(dir, name);
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    handOver(file, user);
    return file;
  };
  return {
    certFile: write('server.crt', tls.cert),
    keyFile: write('server.key', tls.key),
    caFile: tls.ca === undefined ? undefined : write('client-ca.crt', tls.ca),
  };
}
