import { Command, InvalidArgumentError } from 'commander';
import { ExitCode, SyncError } from '../../errors.js';
import { deadLetterKeys, retryDeadLetters, type RetryResult } from '../../dlq/retry-dead-letters.js';
import type { DeadLetter } from '../../state/state-store.js';
import { configFrom, withConfigOption } from '../config-option.js';
import { commandLogger } from '../output/command-logger.js';
import { plural } from '../output/plural.js';
import { printJson } from '../output/print-json.js';
import { textTable } from '../output/text-table.js';
import { usingPipeline } from '../using-pipeline.js';
import { usingStateStore } from '../using-state-store.js';

function limit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 10000) throw new InvalidArgumentError('expected an integer 1..10000');
  return n;
}

function usage(message: string, hint: string): SyncError {
  return new SyncError('USAGE', message, { hint, exitCode: ExitCode.config });
}

/** The keys named on the command line, or every dead letter with --all; exactly one of the two. */
function selection(keys: string[], all: boolean | undefined, verb: string): void {
  if (all && keys.length) throw usage(`dlq ${verb}: give keys or --all, not both`, `cidaas-sync dlq ${verb} 42 43, or cidaas-sync dlq ${verb} --all`);
  if (!all && !keys.length) throw usage(`dlq ${verb}: which users? give their legacy keys, or --all`, `cidaas-sync dlq list shows the keys; then cidaas-sync dlq ${verb} <key>...`);
}

function listCommand(): Command {
  const cmd = new Command('list')
    .description('list the dead letters in key order: key, attempts, last seen, permanent or transient, reason')
    .option('-n, --limit <n>', 'at most this many (1..10000)', limit, 100)
    .option('--after <key>', 'start after this key (paging)')
    .option('--json', 'print them as JSON');
  withConfigOption(cmd);
  return cmd.action(async (opts: { config: string; limit: number; after?: string; json?: boolean }) => {
    const config = await configFrom(opts);
    const [letters, total] = await usingStateStore(config, commandLogger(), (store) =>
      Promise.all([store.listDeadLetters({ limit: opts.limit, ...(opts.after === undefined ? {} : { afterKey: opts.after }) }), store.countDeadLetters()])) ?? [[], 0];
    if (opts.json) {
      printJson({ total, deadLetters: letters.map((d: DeadLetter) => ({ ...d, firstSeen: d.firstSeen.toISOString(), lastSeen: d.lastSeen.toISOString() })) });
      return;
    }
    if (!letters.length) {
      process.stdout.write(total ? `no dead letters after key ${opts.after ?? ''} (${total} in all)\n` : 'no dead letters\n');
      return;
    }
    const rows = [['KEY', 'ATTEMPTS', 'LAST SEEN', 'KIND', 'REASON'],
      ...letters.map((d) => [d.key, String(d.attempts), d.lastSeen.toISOString(), d.permanent ? 'permanent' : 'transient', d.reason.replace(/\s+/g, ' ')])];
    process.stdout.write(`${textTable(rows)}\n\n${letters.length} of ${plural(total, 'dead letter')}` +
      `${letters.length < total ? `; next page: --after ${letters[letters.length - 1]!.key}` : ''}\n`);
  });
}

function retryCommand(): Command {
  const cmd = new Command('retry')
    .description('read the given dead-lettered users now and push them through the dispatcher; those that succeed leave the list')
    .argument('[keys...]', 'legacy user keys (see `dlq list`)')
    .option('--all', 'retry every dead letter')
    .option('--json', 'print the per-user results as JSON')
    .addHelpText('after', '\nExit code 1 when a user is still in the list afterwards.\n\nExamples:\n  cidaas-sync dlq retry 42 1337\n  cidaas-sync dlq retry --all');
  withConfigOption(cmd);
  return cmd.action(async (keys: string[], opts: { config: string; all?: boolean; json?: boolean }) => {
    selection(keys, opts.all, 'retry');
    const config = await configFrom(opts);
    const results = await usingPipeline(config, commandLogger(), async (p) =>
      retryDeadLetters(p, opts.all ? await deadLetterKeys(p.store) : keys, config.cidaas.batchSize));
    if (opts.json) printJson({ results });
    else {
      process.stdout.write(results.length ? textTable(results.map((r) => [r.key, r.outcome, r.detail])) + '\n' : 'no dead letters\n');
      const count = (o: RetryResult['outcome']): number => results.filter((r) => r.outcome === o).length;
      process.stdout.write(`\n${plural(results.length, 'user')}: ${count('pushed')} pushed, ${count('deleted')} deleted, ${count('removed')} removed, ` +
        `${count('failed')} failed again, ${count('not-done')} not done, ${count('unknown')} not in the list\n`);
    }
    if (results.some((r) => r.outcome === 'failed' || r.outcome === 'not-done')) process.exitCode = ExitCode.runtime;
  });
}

function dropCommand(): Command {
  const cmd = new Command('drop')
    .description('remove users from the dead-letter list without pushing them (they are pushed again when they next change)')
    .argument('[keys...]', 'legacy user keys')
    .option('--all', 'remove every dead letter (needs --yes)')
    .option('--yes', 'confirm --all')
    .addHelpText('after', '\nExamples:\n  cidaas-sync dlq drop 42\n  cidaas-sync dlq drop --all --yes');
  withConfigOption(cmd);
  return cmd.action(async (keys: string[], opts: { config: string; all?: boolean; yes?: boolean }) => {
    selection(keys, opts.all, 'drop');
    const config = await configFrom(opts);
    if (opts.all && !opts.yes) {
      const n = (await usingStateStore(config, commandLogger(), (s) => s.countDeadLetters())) ?? 0;
      throw usage(`dlq drop --all would remove every dead letter (${n}) without pushing them`, 'add --yes to confirm: cidaas-sync dlq drop --all --yes');
    }
    const removed = (await usingStateStore(config, commandLogger(), async (store) => store.removeDeadLetters(opts.all ? await deadLetterKeys(store) : [...new Set(keys)]))) ?? 0;
    process.stdout.write(`removed ${plural(removed, 'dead letter')}${!opts.all && removed < new Set(keys).size ? ` (${new Set(keys).size - removed} of the keys given were not in the list)` : ''}\n`);
  });
}

/** `cidaas-sync dlq list|retry|drop`: the users cidaas refused, with why; retried or dropped by key. */
export function dlqCommand(): Command {
  return new Command('dlq')
    .description('the dead-letter list: users cidaas refused or the mapping could not build (list, retry, drop)')
    .addCommand(listCommand())
    .addCommand(retryCommand())
    .addCommand(dropCommand())
    // The subcommands were built before this command got the program's settings (exitOverride:
    // usage errors exit 2): hand them down as one is chosen.
    .hook('preSubcommand', (self, sub) => { sub.copyInheritedSettings(self); })
    .addHelpText('after', '\nExamples:\n  cidaas-sync dlq list --config ./cidaas-sync.yaml\n  cidaas-sync dlq retry 42\n  cidaas-sync dlq drop --all --yes');
}
