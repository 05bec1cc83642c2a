import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { defaultVerifierConfig } from '../../../src/verifier/load-verifier-config.js';
import { startVerifier, type RunningVerifier } from '../../../src/verifier/verifier-server.js';

// openwall/phpass test.php: the hash of "test12345".
const PHPASS = { algorithm: 'CUSTOM_PHPASS', hash: '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0', password: 'test12345' };

function body(v: { algorithm: string; hash: string; password: string }, password = v.password): string {
  return JSON.stringify({ passwordVerification: { passwordHash: v.hash, hData: {} }, password, algorithm: v.algorithm });
}

// The flood of slow hashes runs against the verifier as its own process: verifier-cli.test.ts.
describe('cidaas-sync verifier: security (#11)', function () {
  this.timeout(60_000);
  let tenant: RunningEmulator;
  let other: RunningEmulator;
  let verifier: RunningVerifier;
  const logs: string[] = [];

  before(async () => {
    tenant = await startEmulator({ clientId: 'tenant-client', clientSecret: 'tenant-secret' });
    other = await startEmulator({ clientId: 'tenant-client', clientSecret: 'tenant-secret' });
    verifier = await startVerifier({
      tenant: tenant.url,
      config: { ...defaultVerifierConfig(), maxConcurrent: 1, maxQueue: 2, maxBodyBytes: 4096 },
      log: (line) => logs.push(line),
    });
  });
  after(async () => {
    await verifier?.close();
    await tenant?.close();
    await other?.close();
  });

  const compare = async (payload: string, token?: string, path = '?action=compare'): Promise<{ status: number; json: Record<string, unknown>; text: string; headers: Headers }> => {
    const res = await fetch(new URL(path, verifier.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      body: payload,
    });
    const text = await res.text();
    return { status: res.status, json: JSON.parse(text) as Record<string, unknown>, text, headers: res.headers };
  };

  it('answers verified true for the right password and false for a wrong one, with a token of the tenant', async () => {
    const token = tenant.issueToken();
    expect((await compare(body(PHPASS), token)).json).to.deep.equal({ data: { verified: true } });
    expect((await compare(body(PHPASS, 'test12346'), token)).json).to.deep.equal({ data: { verified: false } });
  });

  it('refuses a request without a token with 401, before looking at the body', async () => {
    const res = await compare(body(PHPASS));
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.match(/^Bearer/);
    expect(res.text).not.to.include(PHPASS.password);
  });

  it('refuses a token issued by another tenant (another key, another issuer) with 401', async () => {
    const res = await compare(body(PHPASS), other.issueToken());
    expect(res.status).to.equal(401);
  });

  it('refuses an expired token of the tenant with 401', async () => {
    const res = await compare(body(PHPASS), tenant.issueToken(undefined, -60));
    expect(res.status).to.equal(401);
  });

  it('refuses a token the tenant does not know (not a JWT: asked at /token-srv/introspect) with 401', async () => {
    const res = await compare(body(PHPASS), 'opaque-token-the-tenant-never-issued');
    expect(res.status).to.equal(401);
    expect(logs.join('\n')).to.include('not active at the tenant');
  });

  it("accepts the tenant's token through /token-srv/introspect when the tenant's JWKS cannot be fetched, and refuses an expired one there too", async () => {
    const fresh = await startEmulator({ clientId: 'tenant-client', clientSecret: 'tenant-secret' });
    const viaIntrospection = await startVerifier({ tenant: fresh.url, config: defaultVerifierConfig() });
    try {
      fresh.addFaults([{ path: '/.well-known/jwks.json', status: 503, times: 10 }]);
      const call = (token: string): Promise<Response> =>
        fetch(`${viaIntrospection.url}?action=compare`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: body(PHPASS) });
      const ok = await call(fresh.issueToken());
      expect(ok.status).to.equal(200);
      expect(await ok.json()).to.deep.equal({ data: { verified: true } });
      expect((await call(fresh.issueToken(undefined, -60))).status).to.equal(401);
      expect(fresh.stats().faultsApplied).to.be.greaterThan(0);
    } finally {
      await viaIntrospection.close();
      await fresh.close();
    }
  });

  it('refuses a JWT whose payload was edited (signature check) with 401', async () => {
    const [h, p, s] = tenant.issueToken().split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { exp: number };
    claims.exp += 3600;
    const res = await compare(body(PHPASS), `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`);
    expect(res.status).to.equal(401);
  });

  it('refuses an oversized body with 413', async () => {
    const res = await compare(body(PHPASS, 'x'.repeat(5000)), tenant.issueToken());
    expect(res.status).to.equal(413);
  });

  it('refuses an unknown action with 400 and an unknown algorithm with 400 naming the id only', async () => {
    const token = tenant.issueToken();
    expect((await compare(body(PHPASS), token, '?action=delete')).status).to.equal(400);
    const res = await compare(body({ ...PHPASS, algorithm: 'CUSTOM_NOPE' }), token);
    expect(res.status).to.equal(400);
    expect(res.text).to.include('CUSTOM_NOPE');
    expect(res.text).not.to.include(PHPASS.hash);
    expect(res.text).not.to.include(PHPASS.password);
  });

  it('never writes a password, a hash or a token to its log', () => {
    const text = logs.join('\n');
    expect(text).to.include('401');
    for (const secret of [PHPASS.password, PHPASS.hash, 'opaque-token-the-tenant-never-issued']) expect(text).not.to.include(secret);
  });

  it('serves HTTPS when given a certificate and key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'verifier-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1'], { stdio: 'ignore' });
      const cert = readFileSync(join(dir, 'cert.pem'));
      const tls = await startVerifier({ tenant: tenant.url, tls: { cert, key: readFileSync(join(dir, 'key.pem')) }, config: defaultVerifierConfig() });
      try {
        expect(tls.url).to.match(/^https:\/\/127\.0\.0\.1:\d+\/$/);
        const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
          const req = request(`${tls.url}?action=compare`, { method: 'POST', ca: cert, headers: { authorization: `Bearer ${tenant.issueToken()}`, 'content-type': 'application/json' } }, (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          });
          req.on('error', reject);
          req.end(body(PHPASS));
        });
        expect(answer).to.deep.equal({ status: 200, text: JSON.stringify({ data: { verified: true } }) });
      } finally {
        await tls.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to serve plain HTTP on a non-loopback interface unless allowed', async () => {
    let error: unknown;
    try {
      await startVerifier({ tenant: tenant.url, host: '0.0.0.0', config: defaultVerifierConfig() });
    } catch (err) {
      error = err;
    }
    expect(String((error as Error | undefined)?.message)).to.include('plain HTTP only on loopback');
  });
});
