import { runScenario } from '../support/cidaas-client-fixture.js';
import { bulkScenarios } from '../support/cidaas-bulk-scenarios.js';

describe('cidaas client: bulk upsert, purge, read, search (emulator over HTTP)', () => {
  for (const [title, scenario] of Object.entries(bulkScenarios)) {
    it(title, async () => {
      await runScenario(scenario);
    });
  }
});
