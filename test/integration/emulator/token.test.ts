import type { JsonWebKey } from 'node:crypto';
import { createPublicKey, verify } from 'node:crypto';
import { expect } from 'chai';
import { startEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { waitFor } from '../../support/wait-for.js';
import { CLIENT_ID, CLIENT_SECRET, useEmulator } from './emulator-fixture.js';

const ALL_SCOPES = ['cidaas:bulk_user_create', 'cidaas:users_delete', 'cidaas:users_read', 'cidaas:users_search'];

function decodePart(token: string, index: number): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function form(fields: Record<string, string>): { raw: string; headers: Record<string, string> } {
  return { raw: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

const creds = { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET };

describe('cidaas emulator: token endpoint and token checks', () => {
  const t = useEmulator();

  describe('POST /token-srv/token', () => {
    it('issues an RS256 JWT with kid, sub ANONYMOUS, aud, iss, iat, exp, jti and all client scopes for a form body', async () => {
      const res = await t.call('POST', '/token-srv/token', form(creds));
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ token_type: 'Bearer', expires_in: 86400, sub: 'ANONYMOUS' });
      expect(res.headers.get('cache-control')).to.equal('no-store');
      const token = res.body['access_token'] as string;
      const header = decodePart(token, 0);
      const claims = decodePart(token, 1);
      expect(header).to.include({ alg: 'RS256', typ: 'JWT' });
      expect(header['kid']).to.be.a('string').and.not.empty;
      expect(claims).to.include({ sub: 'ANONYMOUS', aud: CLIENT_ID, iss: t.emu.url });
      expect(claims['exp']).to.equal((claims['iat'] as number) + 86400);
      expect(claims['jti']).to.be.a('string');
      expect(claims['scopes']).to.deep.equal(ALL_SCOPES);
    });

    it('signs tokens with the key published at /.well-known/jwks.json', async () => {
      const token = await t.token();
      const jwks = await t.call('GET', '/.well-known/jwks.json');
      const keys = jwks.body['keys'] as { kid: string }[];
      const jwk = keys.find((k) => k.kid === decodePart(token, 0)['kid']);
      expect(jwk).to.exist;
      const [h, p, s] = token.split('.') as [string, string, string];
      const key = createPublicKey({ key: jwk as unknown as JsonWebKey, format: 'jwk' });
      expect(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).to.equal(true);
    });

    it('accepts a JSON body', async () => {
      const res = await t.call('POST', '/token-srv/token', { body: creds });
      expect(res.status).to.equal(200);
      expect(res.body['access_token']).to.be.a('string');
    });

    it('gives the intersection of the requested scope and the client scopes', async () => {
      const res = await t.call('POST', '/token-srv/token', form({ ...creds, scope: 'cidaas:users_read openid cidaas:users_delete' }));
      expect(decodePart(res.body['access_token'] as string, 1)['scopes']).to.deep.equal(['cidaas:users_read', 'cidaas:users_delete']);
    });

    it('answers invalid_client with 401 for a wrong client secret', async () => {
      const res = await t.call('POST', '/token-srv/token', form({ ...creds, client_secret: 'wrong' }));
      expect(res.status).to.equal(401);
      expect(res.body).to.include({ error: 'invalid_client' });
      expect(res.body['error_description']).to.be.a('string');
    });

    it('answers invalid_client with 401 for an unknown client id', async () => {
      const res = await t.call('POST', '/token-srv/token', form({ ...creds, client_id: 'someone-else' }));
      expect(res.status).to.equal(401);
      expect(res.body['error']).to.equal('invalid_client');
    });

    it('answers invalid_client with 401 when the client secret is missing', async () => {
      const res = await t.call('POST', '/token-srv/token', form({ grant_type: 'client_credentials', client_id: CLIENT_ID }));
      expect(res.status).to.equal(401);
      expect(res.body['error']).to.equal('invalid_client');
    });

    it('answers unsupported_grant_type with 400 for a grant other than client_credentials', async () => {
      const res = await t.call('POST', '/token-srv/token', form({ ...creds, grant_type: 'password' }));
      expect(res.status).to.equal(400);
      expect(res.body['error']).to.equal('unsupported_grant_type');
    });

    it('answers invalid_request with 400 when grant_type is missing', async () => {
      const res = await t.call('POST', '/token-srv/token', form({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET }));
      expect(res.status).to.equal(400);
      expect(res.body['error']).to.equal('invalid_request');
    });

    it('answers invalid_request with 400 for a body that is neither form nor JSON', async () => {
      const res = await t.call('POST', '/token-srv/token', { raw: 'grant_type=client_credentials', headers: { 'content-type': 'text/plain' } });
      expect(res.status).to.equal(400);
      expect(res.body['error']).to.equal('invalid_request');
    });

    it('answers invalid_request with 400 for malformed JSON', async () => {
      const res = await t.call('POST', '/token-srv/token', { raw: '{"grant_type":', headers: { 'content-type': 'application/json' } });
      expect(res.status).to.equal(400);
      expect(res.body['error']).to.equal('invalid_request');
    });
  });

  describe('bearer token checks on API calls', () => {
    const read = (token?: string): ReturnType<typeof t.call> =>
      t.call('GET', '/user-srv/users/nobody', token === undefined ? {} : { token });

    function expectAccessDenied(res: Awaited<ReturnType<typeof t.call>>): void {
      expect(res.status).to.equal(401);
      expect(res.body['error']).to.equal('Access denied for this resource');
      expect(res.body['refnumber']).to.match(/^\d{13}-[0-9a-f-]{36}$/);
    }

    it('answers 401 access denied without an Authorization header', async () => {
      expectAccessDenied(await read());
    });

    it('answers 401 for a token whose payload was edited', async () => {
      const [h, p, s] = (await t.token()).split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims['exp'] = (claims['exp'] as number) + 3600;
      expectAccessDenied(await read(`${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`));
    });

    it('answers 401 for a token signed by another emulator', async () => {
      const other = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      try {
        expectAccessDenied(await read(other.issueToken()));
      } finally {
        await other.close();
      }
    });

    it('answers 401 for an expired token', async () => {
      expectAccessDenied(await read(t.emu.issueToken(undefined, -1)));
    });

    it('answers 401 for a token that is not a JWT', async () => {
      expectAccessDenied(await read('not-a-token'));
    });

    it('answers 403 AuthorizationException naming the scope the token lacks', async () => {
      const token = await t.token('cidaas:users_read');
      const res = await t.call('POST', '/users-srv/user/bulk', { body: [{ sub: 'a', email: 'a@example.com' }], token });
      expect(res.status).to.equal(403);
      expect(res.body).to.include({ success: false, status: 403 });
      const error = res.body['error'] as Record<string, unknown>;
      expect(error).to.include({ type: 'AuthorizationException', status: 403 });
      expect(error['error']).to.include('cidaas:bulk_user_create');
      expect(t.emu.userCount).to.equal(0);
    });

    it('lets search through with either cidaas:users_read or cidaas:users_search', async () => {
      for (const scope of ['cidaas:users_read', 'cidaas:users_search']) {
        const res = await t.call('POST', '/user-srv/graph/users', { body: { from: 0, size: 10 }, token: await t.token(scope) });
        // No user stored: nothing matches, which cidaas answers with 204 (#12).
        expect(res.status, scope).to.equal(204);
      }
      const none = await t.call('POST', '/user-srv/graph/users', { body: {}, token: await t.token('cidaas:users_delete') });
      expect(none.status).to.equal(403);
    });
  });

  describe('token lifetime (--token-ttl)', () => {
    const short = useEmulator({ tokenTtlSeconds: 1 });

    it('refuses a token once its exp has passed', async () => {
      const res = await short.call('POST', '/token-srv/token', form(creds));
      expect(res.body['expires_in']).to.equal(1);
      const token = res.body['access_token'] as string;
      const exp = decodePart(token, 1)['exp'] as number;
      await waitFor(async () => (await short.call('GET', '/user-srv/users/x', { token })).status === 401, { timeoutMs: 5000 });
      expect(Date.now()).to.be.at.least(exp * 1000);
    });
  });
});
