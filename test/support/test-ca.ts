import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its key, PEM. */
export interface TestCertificate {
  readonly cert: string;
  readonly key: string;
}

/** A CA made for one test run, the certificates it signed, and an unrelated CA. */
export interface TestCa {
  /** The CA's certificate (what `tls.ca` is set to). */
  readonly ca: string;
  /** Server certificate for DNS name `localhost` only (no IP address: connecting to 127.0.0.1 fails verify-full). */
  readonly server: TestCertificate;
  /** Client certificate (CN `cidaas_sync`). */
  readonly client: TestCertificate;
  /** A CA that signed none of these. */
  readonly otherCa: string;
}

/**
 * Makes a throwaway CA with openssl (P-256 keys: fast), a server certificate for `localhost`
 * and a client certificate. Nothing is left on disk.
 */
export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'cidaas-test-ca-'));
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
  try {
    openssl('req', '-x509', ...newKey, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=cidaas-sync test CA');
    openssl('req', '-x509', ...newKey, '-keyout', 'other.key', '-out', 'other.pem', '-days', '2', '-subj', '/CN=cidaas-sync other CA');
    const sign = (name: string, subject: string, extensions: string): TestCertificate => {
      writeFileSync(join(dir, `${name}.ext`), extensions);
      openssl('req', '-new', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
      return { cert: read(`${name}.pem`), key: read(`${name}.key`) };
    };
    return {
      ca: read('ca.pem'),
      server: sign('server', '/CN=localhost', 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n'),
      client: sign('client', '/CN=cidaas_sync', 'extendedKeyUsage=clientAuth\n'),
      otherCa: read('other.pem'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
