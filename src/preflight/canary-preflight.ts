import type { Config } from '../../config/config-schema.js';
import { CanaryLedger } from '../canary/canary-ledger.js';
import type { StateStore } from '../state/state-store.js';
import { pass, warn, type PreflightItem } from './preflight-item.js';

/**
 * `check`'s canary item: a warning until `cidaas-sync canary` has passed with this tenant,
 * client and `cidaas.compat` settings (a changed setting needs a new pass). `store` is null
 * when no state store exists yet (nothing has run, the canary neither).
 */
export async function checkCanary(config: Config, store: StateStore | null): Promise<PreflightItem> {
  const fix = `run \`cidaas-sync canary --config <this file>\` before the first push: it proves each cidaas.compat setting on the tenant with throwaway users`;
  if (!store) return warn('canary', 'has never passed for this tenant and these cidaas.compat settings', fix);
  const ledger = new CanaryLedger(store);
  const [at, pending] = await Promise.all([ledger.passedAt(config), ledger.pending()]);
  if (pending.length > 0) return warn('canary', `${pending.length} canary users of an interrupted run are still on record`, 'run `cidaas-sync canary` again: it removes them first');
  return at ? pass('canary', `passed ${at} with these cidaas.compat settings`) : warn('canary', 'has never passed for this tenant and these cidaas.compat settings', fix);
}
