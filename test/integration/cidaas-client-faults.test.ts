import { runScenario } from '../support/cidaas-client-fixture.js';
import { faultScenarios } from '../support/cidaas-fault-scenarios.js';

describe('cidaas client: transient failures (emulator over HTTP)', () => {
  for (const [title, scenario] of Object.entries(faultScenarios)) {
    it(title, async () => {
      await runScenario(scenario);
    });
  }
});
