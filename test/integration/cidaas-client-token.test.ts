import { runScenario } from '../support/cidaas-client-fixture.js';
import { tokenScenarios } from '../support/cidaas-token-scenarios.js';

describe('cidaas client: access token (emulator over HTTP)', () => {
  for (const [title, scenario] of Object.entries(tokenScenarios)) {
    it(title, async () => {
      await runScenario(scenario);
    });
  }
});
