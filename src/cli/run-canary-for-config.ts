import type { Config } from '../../config/config-schema.js';
import type { CanaryReport } from '../canary/canary-finding.js';
import { passwordGrantLogin } from '../canary/password-grant-login.js';
import { runCanary } from '../canary/run-canary.js';
import { CidaasClient } from '../cidaas/cidaas-client.js';
import type { Logger } from '../observability/logger.js';
import { openStateStore } from '../state/open-state-store.js';
import { usingLegacyReader } from './using-legacy-reader.js';

/**
 * The canary for a configuration, with everything it needs opened and closed: the push's
 * client (with `cidaas.compat`), the state store (created if new: the canary records its
 * users there first), the legacy reader and mapper, and the password grant of
 * `canary.loginClientId` when configured.
 */
export async function runCanaryForConfig(config: Config, logger: Logger, signal?: { readonly aborted: boolean }): Promise<CanaryReport> {
  const c = config.cidaas;
  const client = new CidaasClient({
    baseUrl: c.baseUrl, clientId: c.clientId, clientSecret: c.clientSecret, logger: logger.child({ component: 'cidaas' }),
    connections: 2, requestTimeoutMs: c.requestTimeoutMs, compat: c.compat, allowEmulator: c.allowEmulator,
  });
  try {
    const store = await openStateStore(config.state.url, { logger });
    try {
      const login = config.canary.loginClientId === undefined ? undefined
        : passwordGrantLogin(c.baseUrl, config.canary.loginClientId, config.canary.loginClientSecret);
      return await usingLegacyReader(config, logger, ({ reader, mapper }) =>
        runCanary({ config, client, store, reader, mapper, logger, ...(signal ? { signal } : {}), ...(login ? { login } : {}) }));
    } finally {
      await store.close().catch(() => undefined);
    }
  } finally {
    await client.close();
  }
}
