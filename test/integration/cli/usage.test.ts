import { expect } from 'chai';
import { described, runCli, type CliResult } from './cli-run.js';

describe('cidaas-sync operator commands: usage and configuration errors', function () {
  this.timeout(30_000);

  const HELP = [['check'], ['backfill'], ['dlq']];
  // Every run of both tests starts in `before`, all at once: they are independent, and their CLI
  // start-ups overlap instead of queueing test after test. Each test then checks its own runs.
  let usage: CliResult[];
  let help: CliResult[];
  before(async () => {
    [usage, help] = await Promise.all([
      Promise.all([
        runCli(['status', '--config', '/nonexistent/cidaas-sync.yaml']),
        runCli(['preview', '--limit', '0']),
        runCli(['dlq', 'retry']),
        runCli(['dlq', 'drop', '42', '--all']),
      ]),
      Promise.all(HELP.map((c) => runCli([...c, '--help']))),
    ]);
  });

  it('exit 2 for a missing configuration file, a bad option value and a dlq command without keys', () => {
    const [noConfig, badLimit, noKeys, both] = usage as [CliResult, CliResult, CliResult, CliResult];
    expect(noConfig.code, described(noConfig)).to.equal(2);
    expect(noConfig.stderr).to.include('CONFIG_INVALID: cannot read the configuration file /nonexistent/cidaas-sync.yaml (ENOENT)');
    expect(badLimit.code, described(badLimit)).to.equal(2);
    expect(badLimit.stderr).to.include("option '-n, --limit <n>' argument '0' is invalid. expected an integer 1..1000");
    expect(noKeys.code, described(noKeys)).to.equal(2);
    expect(noKeys.stderr).to.include('USAGE: dlq retry: which users? give their legacy keys, or --all');
    expect(both.code, described(both)).to.equal(2);
    expect(both.stderr).to.include('USAGE: dlq drop: give keys or --all, not both');
  });

  it('--help shows examples and exits 0', () => {
    help.forEach((r, i) => {
      expect(r.code, `${HELP[i]!.join(' ')}: ${described(r)}`).to.equal(0);
      expect(r.stdout, HELP[i]!.join(' ')).to.include('Examples:');
    });
  });
});
