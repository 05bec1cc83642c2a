import type { EmulatorOptions, RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { startEmulator } from '../../../tools/emulator/cidaas-emulator.js';

export const CLIENT_ID = 'test-client';
export const CLIENT_SECRET = 'test-secret';

/** An HTTP answer, body parsed as JSON when it is JSON. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  // Tests read bodies loosely; chai checks their shape.
  readonly body: Record<string, unknown> & { data?: unknown };
}

/** What {@link useEmulator} gives a test file. */
export interface EmulatorFixture {
  /** The emulator (started in `before`, reset before each test, closed in `after`). */
  readonly emu: RunningEmulator;
  /** Any HTTP call to the emulator. */
  call(method: string, path: string, init?: { body?: unknown; raw?: string; headers?: Record<string, string>; token?: string }): Promise<HttpAnswer>;
  /** A token from the token endpoint (all scopes, or the intersection with `scope`). */
  token(scope?: string): Promise<string>;
  /** POST /users-srv/user/bulk with a fresh all-scope token; returns the process states. */
  bulk(users: unknown[]): Promise<ProcessState[]>;
}

/** One entry of `process_states`. */
export interface ProcessState {
  sub: string;
  identifier: Record<string, string>;
  status: 'CREATED' | 'UPDATED' | 'FAILED';
  message?: string;
}

/**
 * Starts an emulator for the enclosing `describe` on a free port and registers its
 * cleanup at once; every test starts from an empty store (reset in `beforeEach`).
 */
export function useEmulator(options: Partial<EmulatorOptions> = {}): EmulatorFixture {
  let emu: RunningEmulator | undefined;
  let cachedToken: string | undefined;
  before(async () => {
    emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...options });
  });
  after(async () => {
    await emu?.close();
  });
  beforeEach(() => emu?.reset());

  const fixture: EmulatorFixture = {
    get emu(): RunningEmulator {
      if (!emu) throw new Error('the emulator is not started yet (use it inside a test or hook)');
      return emu;
    },
    async call(method, path, init = {}) {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      if (init.token !== undefined) headers['authorization'] = `Bearer ${init.token}`;
      let body: string | undefined = init.raw;
      if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${fixture.emu.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? {} : JSON.parse(text);
      } catch {
        parsed = { text };
      }
      return { status: res.status, headers: res.headers, body: parsed as HttpAnswer['body'] };
    },
    async token(scope) {
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
      if (scope !== undefined) form.set('scope', scope);
      const res = await fixture.call('POST', '/token-srv/token', {
        raw: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}`);
      return res.body['access_token'] as string;
    },
    async bulk(users) {
      cachedToken ??= fixture.emu.issueToken();
      const res = await fixture.call('POST', '/users-srv/user/bulk', { body: users, token: cachedToken });
      if (res.status !== 200) throw new Error(`bulk answered ${res.status}: ${JSON.stringify(res.body)}`);
      return (res.body.data as { process_states: ProcessState[] }).process_states;
    },
  };
  return fixture;
}

/** A valid user with this number: sub u-<n>, email u<n>@example.com. */
export function user(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: `u-${n}`, email: `u${n}@example.com`, given_name: `Given${n}`, family_name: `Family${n}`, ...extra };
}
