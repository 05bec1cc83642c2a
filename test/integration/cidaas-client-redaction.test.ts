import { expect } from 'chai';
import { renderError, runScenario, type ClientHarness } from '../support/cidaas-client-fixture.js';
import { bulkScenarios } from '../support/cidaas-bulk-scenarios.js';
import { faultScenarios } from '../support/cidaas-fault-scenarios.js';
import { tokenScenarios } from '../support/cidaas-token-scenarios.js';
import { captureOutput } from '../support/output-capture.js';

/** Three base64url segments, the first two JSON objects: any JWT, whichever token the client held. */
const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}/;

/** How many scenarios run side by side. */
const SCENARIOS_AT_ONCE = 4;

describe('cidaas client: redaction', () => {
  it('no client secret, access token, password hash or TOTP secret appears in logs, output or errors', async function () {
    this.timeout(120_000);
    const scenarios = { ...tokenScenarios, ...bulkScenarios, ...faultScenarios };
    const harnesses: ClientHarness[] = [];
    const failures: string[] = [];
    // The scenarios are independent (each has its own emulator and client) and mostly wait on
    // timers (token lifetimes, Retry-After, request timeouts): a few at a time, not one by one.
    const queue = Object.entries(scenarios);
    const { output } = await captureOutput(async () => {
      await Promise.all(Array.from({ length: SCENARIOS_AT_ONCE }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const [title, scenario] = next;
          try {
            harnesses.push(await runScenario(scenario, { logToStdout: true }));
          } catch (err) {
            failures.push(`${title}: ${renderError(err)}`);
          }
        }
      }));
    });
    expect(failures, 'every scenario still passes while captured').to.deep.equal([]);
    expect(output, 'the winston logger wrote to stdout').to.contain('"level":"debug"');

    const secrets = new Set(harnesses.flatMap((h) => [...h.secrets]));
    const texts = [output, ...harnesses.flatMap((h) => [h.logger.text(), ...h.evidence])];
    const everything = texts.join('\n');
    expect(secrets.size).to.be.greaterThan(harnesses.length * 2);
    expect(harnesses.some((h) => h.evidence.some((e) => e.includes('SyncError'))), 'errors were captured').to.equal(true);
    for (const secret of secrets) {
      expect(everything.includes(secret), `a secret of ${secret.length} characters appears`).to.equal(false);
    }
    expect(JWT.exec(everything)?.[0], 'an access token appears').to.equal(undefined);
  });
});
