import { request } from 'undici';
import { CidaasTransport } from '../cidaas/cidaas-transport.js';
import { cidaasErrorText } from '../cidaas/cidaas-errors.js';
import { RetryPolicy } from '../cidaas/retry-policy.js';
import { TokenProvider } from '../cidaas/token-provider.js';
import { SyncError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { Secret } from '../secret.js';
import type { ApiGeneration, ResourceKind } from './tenant-resources.js';

/** Bodies above this are refused: an admin answer is small. */
const MAX_BODY = 4 * 1024 * 1024;
/** 4.x app paths: the documented one first, then the one cidaas's own client calls. */
const APPS_PATHS_4 = ['/apps-srv/apps', '/app-srv/apps'];

/** One answer of an admin call. */
interface AdminReply { status: number; body: unknown; ref: string | undefined }

/** What cidaas said when it refused a setup call: its code, its message, and what to do. */
export class SetupRefusedError extends SyncError {
  constructor(what: string, reply: AdminReply) {
    const code = errorCode(reply.body);
    const hint = code === 'APP10061'
      ? 'an app names a scope the tenant does not have: add the scope in cidaas (or remove it from tenant.apps[].scopes), then run `cidaas-sync setup apply` again'
      : reply.status === 409 ? 'an object with this name or id already exists in another form: rename it in tenant:, or align it in the cidaas admin UI, then apply again'
        : reply.status === 403 ? 'the client lacks the admin scope for this kind of object: grant it to the client in cidaas (e.g. cidaas:apps_write, cidaas:field_setup_write)'
          : reply.status === 417 ? 'cidaas misses a required field: check the declaration against the README example'
            : 'fix the declaration in tenant: and run `cidaas-sync setup apply` again (it resumes: what is applied stays)';
    super('SETUP_REFUSED', `cidaas refused ${what}: HTTP ${reply.status}${code ? ` ${code}` : ''}: ${cidaasErrorText(reply.body) ?? 'no message'}${reply.ref ? ` (X-Ref-Number ${reply.ref})` : ''}`, { hint });
  }
}

function errorCode(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const e = (body as { error?: unknown }).error;
  if (e !== null && typeof e === 'object') {
    const c = (e as { code?: unknown }).code;
    return c === undefined ? undefined : String(c);
  }
  return undefined;
}

function dataOf(body: unknown): unknown {
  return body !== null && typeof body === 'object' && 'data' in body ? (body as { data: unknown }).data : body;
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/**
 * The cidaas admin APIs for tenant setup, both generations: reads an object by its key, creates
 * and updates it. Never deletes anything. Tokens come from the sidecar's own client credentials.
 */
export class TenantAdminClient {
  readonly #base: string;
  readonly #transport: CidaasTransport;
  readonly #tokens: TokenProvider;
  #appsPath4: string | undefined;

  constructor(o: { baseUrl: string; clientId: string; clientSecret: Secret; logger: Logger; appsPath?: string; allowEmulator?: boolean }) {
    this.#base = o.baseUrl.replace(/\/+$/, '');
    this.#transport = new CidaasTransport({ baseUrl: o.baseUrl, connections: 2, requestTimeoutMs: 30_000, retry: new RetryPolicy(), logger: o.logger, allowEmulator: o.allowEmulator ?? false });
    this.#tokens = new TokenProvider(this.#transport, o.clientId, o.clientSecret, o.logger);
    this.#appsPath4 = o.appsPath;
  }

  async close(): Promise<void> {
    await this.#transport.close();
  }

  async #call(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<AdminReply> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.#tokens.token();
      const res = await request(`${this.#base}${path}`, {
        method, headers: { authorization: `Bearer ${token.reveal()}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headersTimeout: 30_000, bodyTimeout: 30_000,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of res.body) {
        size += (c as Buffer).length;
        if (size > MAX_BODY) throw new SyncError('CIDAAS_PROTOCOL', `cidaas answered ${method} ${path} with more than ${MAX_BODY} bytes`, { hint: 'check cidaas.baseUrl: it should be the tenant URL' });
        chunks.push(c as Buffer);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown;
      try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
      const ref = res.headers['x-ref-number'];
      const reply = { status: res.statusCode, body: parsed, ref: Array.isArray(ref) ? ref[0] : ref };
      if (res.statusCode === 401 && attempt === 0) { this.#tokens.invalidate(token); continue; }
      if ((res.statusCode === 429 || res.statusCode >= 500) && attempt < 4) {
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
        continue;
      }
      return reply;
    }
  }

  /** 3 or 4: GET /public-srv/version (a 404 there means 4.x, as cidaas's own client reads it). */
  async detectGeneration(): Promise<ApiGeneration> {
    const r = await this.#call('GET', '/public-srv/version');
    if (r.status === 404) return 4;
    const version = asRecord(dataOf(r.body))?.['version'];
    if (r.status === 200 && typeof version === 'string') return version.startsWith('3.') ? 3 : 4;
    throw new SyncError('CIDAAS_PROTOCOL', `GET /public-srv/version answered ${r.status}; cannot tell cidaas 3.x from 4.x`, { hint: 'set tenant.apiGeneration: "3" or "4"' });
  }

  async #appsPath(): Promise<string> {
    if (this.#appsPath4) return this.#appsPath4;
    for (const p of APPS_PATHS_4) {
      const r = await this.#call('GET', `${p}/cidaas-sync-path-probe`);
      // A 404 with cidaas's error envelope is "no such app" on a live path; a bare 404 is no route.
      if (r.status !== 404 || errorCode(r.body) !== undefined) return (this.#appsPath4 = p);
    }
    return (this.#appsPath4 = APPS_PATHS_4[0]!);
  }

  /** The object as the tenant holds it, or null when it is not there. */
  async read(kind: ResourceKind, key: string, gen: ApiGeneration): Promise<Record<string, unknown> | null> {
    const k = encodeURIComponent(key);
    const get = async (path: string): Promise<unknown> => {
      const r = await this.#call('GET', path);
      if (r.status === 404 || r.status === 204) return null;
      if (r.status !== 200) throw new SetupRefusedError(`reading ${kind} ${key}`, r);
      return dataOf(r.body);
    };
    switch (kind) {
      case 'role': return asRecord(await get(`/roles-srv/role?role=${k}`));
      case 'groupType': return asRecord(await get(`/groups-srv/grouptypes?groupType=${k}`));
      case 'group': return asRecord(await get(`/groups-srv/usergroups/${k}`));
      case 'field': return asRecord(await get(`/fieldsetup-srv/fields/${k}`));
      case 'socialProvider': {
        const list = await get(`/providers-srv/multi/providers?name=${k}`);
        return (Array.isArray(list) ? list : [list]).map(asRecord).find((p) => p?.['name'] === key) ?? null;
      }
      case 'customProvider': {
        if (gen === 3) return asRecord(await get(`/providers-srv/custom/${k}`));
        const list = await get('/providers-srv/providers');
        return (Array.isArray(list) ? list : []).map(asRecord).find((p) => p?.['provider_name'] === key) ?? null;
      }
      case 'app': return asRecord(await get(gen === 3 ? `/apps-srv/clients/${k}` : `${await this.#appsPath()}/${k}`));
    }
  }

  /** Creates or updates one object; `existing` is what {@link read} returned. */
  async write(kind: ResourceKind, key: string, gen: ApiGeneration, body: Record<string, unknown>, existing: Record<string, unknown> | null): Promise<void> {
    const what = `${existing ? 'updating' : 'creating'} ${kind} ${key}`;
    const expect = async (method: 'POST' | 'PUT', path: string, b: unknown): Promise<void> => {
      const r = await this.#call(method, path, b);
      const failed = r.status < 200 || r.status > 299 || asRecord(r.body)?.['success'] === false;
      if (failed) throw new SetupRefusedError(what, r);
    };
    const id = existing?.['id'] ?? existing?.['_id'];
    switch (kind) {
      case 'role': return expect('POST', '/roles-srv/role', body);
      case 'field': return expect('POST', '/fieldsetup-srv/fields', body);
      case 'groupType': return expect(existing ? 'PUT' : 'POST', '/groups-srv/grouptypes', body);
      case 'group': return expect(existing ? 'PUT' : 'POST', '/groups-srv/usergroups', body);
      case 'socialProvider': return expect('POST', '/providers-srv/multi/providers', existing ? { ...body, id } : body);
      case 'customProvider':
        if (gen === 3) return expect(existing ? 'PUT' : 'POST', '/providers-srv/custom', body);
        return existing ? expect('PUT', `/providers-srv/providers/${encodeURIComponent(String(id))}`, body) : expect('POST', '/providers-srv/providers', body);
      case 'app':
        if (gen === 3) return existing ? expect('PUT', '/apps-srv/clients', { ...body, _id: id }) : expect('POST', '/apps-srv/clients', body);
        return existing ? expect('PUT', `${await this.#appsPath()}/${encodeURIComponent(key)}`, body) : expect('POST', await this.#appsPath(), body);
    }
  }

  /** 4.x: asks cidaas for a new secret of a confidential app; returned once, never logged. */
  async newAppSecret(clientId: string): Promise<Secret> {
    const r = await this.#call('POST', `${await this.#appsPath()}/${encodeURIComponent(clientId)}/secrets`, {});
    const secret = asRecord(dataOf(r.body))?.['client_secret'];
    if (r.status < 200 || r.status > 299 || typeof secret !== 'string') throw new SetupRefusedError(`creating a client secret for app ${clientId}`, r);
    return new Secret(secret);
  }
}
