import { expect } from 'chai';
import { stringify } from 'yaml';
import { ConfigError } from '../../../src/errors.js';
import { parseConfig } from '../../../config/load-config.js';
import type { Config } from '../../../config/config-schema.js';

/** A minimal valid configuration as a plain object, for tests to change one thing in. */
export function minimalConfig(): Record<string, Record<string, unknown>> {
  return {
    source: { kind: 'postgres', url: 'postgres://sync:pw@localhost:5432/shop' },
    users: { table: 'users', key: 'id', fields: { email: 'email' } },
    cidaas: { baseUrl: 'https://acme.cidaas.eu', clientId: 'client-1', clientSecret: 'client-secret-1' },
  };
}

/** Parses a configuration object (written out as YAML) or YAML text. */
export function parse(config: object | string, env: NodeJS.ProcessEnv = {}, baseDir = '/srv/cidaas-sync'): Promise<Config> {
  const text = typeof config === 'string' ? config : stringify(config);
  return parseConfig(text, { baseDir, env });
}

/** The ConfigError the configuration is rejected with; fails the test when it loads. */
export async function rejection(config: object | string, env: NodeJS.ProcessEnv = {}, baseDir?: string): Promise<ConfigError> {
  try {
    await parse(config, env, baseDir);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  expect.fail('the configuration loaded, but it should have been rejected');
}

/** The one issue reported for `path`, failing the test when there is none. */
export function issueAt(err: ConfigError, path: string): string {
  const found = err.issues.find((i) => i.path === path);
  expect(found, `no issue for ${path}; issues: ${err.message}`).to.not.equal(undefined);
  return found?.message ?? '';
}
