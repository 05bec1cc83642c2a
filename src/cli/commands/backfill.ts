import { Command } from 'commander';
import { runBackfill, type BackfillOptions, type BackfillTick } from '../../backfill.js';
import { BackfillLifecycle } from '../../backfill-lifecycle.js';
import { ExitCode } from '../../errors.js';
import type { BackfillProgress } from '../../state/state-store.js';
import { configFrom, withConfigOption } from '../config-option.js';
import { commandLogger } from '../output/command-logger.js';
import { plural } from '../output/plural.js';
import { ProgressBar } from '../output/progress-bar.js';
import { usingPipeline } from '../using-pipeline.js';

const RESTART_NOTE = [
  'backfill progress cleared: every user is walked again.',
  '  - users whose fingerprints did not change cost no cidaas call; the others are pushed again',
  '  - the stream keeps its checkpoint: `run` replays from there, so no change is lost',
  '  - users the state store holds as live but the legacy database no longer has are deleted in cidaas after the walk (the sweep)',
].join('\n');

/**
 * `cidaas-sync backfill [--restart]`: the backfill alone, as `run` does it first (record the
 * log position, walk every user by key through the dispatcher, sweep users deleted meanwhile, hand
 * the position to the stream), then exit without streaming.
 */
export function backfillCommand(): Command {
  const cmd = new Command('backfill')
    .description('push every user to cidaas (resuming an interrupted backfill), then exit without streaming; `run` streams from the hand-off position afterwards')
    .option('--restart', 'forget the backfill progress and walk every user again')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .addHelpText('after', [
      '',
      'Do not run it while `run` runs against the same state store.',
      'Exit code 1 when interrupted (SIGINT/SIGTERM): the next backfill or run resumes from the last key done.',
      '',
      'Examples:',
      '  cidaas-sync backfill --config ./cidaas-sync.yaml',
      '  cidaas-sync backfill --restart    # after a TRUNCATE, a restore, or a changed mapping',
    ].join('\n'));
  withConfigOption(cmd);
  cmd.action(async (opts: { config: string; restart?: boolean; progress: boolean }) => {
    const config = await configFrom(opts);
    const logger = commandLogger('info');
    const signal = { aborted: false };
    const onSignal = (): void => { signal.aborted = true; };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // Progress on a terminal as a bar; elsewhere the backfill logs a line every few seconds.
    const bar = ProgressBar.open(opts.progress, { label: 'backfill', rate: true });
    try {
      await usingPipeline(config, logger, async (p, metrics) => {
        await p.source.prepare();
        if (opts.restart) {
          await p.store.clearBackfill();
          process.stdout.write(RESTART_NOTE + '\n');
        }
        let b: BackfillProgress | null = await p.store.getBackfill();
        if (b?.status === 'done') {
          process.stdout.write(`backfill already done: ${b.usersDone} users, finished ${b.finishedAt?.toISOString() ?? '?'}; \`backfill --restart\` walks every user again\n`);
          return;
        }
        const lifecycle = new BackfillLifecycle(p.source, p.store);
        b = await lifecycle.begin(b);
        const bo: BackfillOptions = {
          reader: p.reader, dispatcher: p.dispatcher, governor: p.governor, store: p.store, logger, metrics,
          batchSize: config.cidaas.batchSize, signal, ...(bar ? { onProgress: (t: BackfillTick) => bar.update(t.done, t.total, t.usersPerSecond) } : {}),
        };
        const started = Date.now();
        b = await runBackfill(bo, b);
        bar?.stop();
        if (signal.aborted) {
          process.stdout.write(`backfill interrupted after ${b.usersDone} users; it resumes after key ${b.lastKey ?? '(none)'}\n`);
          process.exitCode = ExitCode.runtime;
          return;
        }
        const swept = await lifecycle.sweepIfPending(bo);
        if (swept !== null && signal.aborted) {
          process.stdout.write('backfill done, sweep interrupted: the next backfill or run sweeps again\n');
          process.exitCode = ExitCode.runtime;
          return;
        }
        await lifecycle.handOff(b, (await p.store.getCheckpoint())?.position ?? null);
        const dead = await p.store.countDeadLetters();
        process.stdout.write(`backfill done: ${b.usersDone} users in ${Math.round((Date.now() - started) / 1000)} s` +
          `${swept !== null ? `, ${swept} deleted meanwhile swept` : ''}, ${plural(dead, 'dead letter')}${dead > 0 ? ' (`cidaas-sync dlq list`)' : ''}; \`cidaas-sync run\` streams from ${(await p.store.getCheckpoint())?.position ?? b.startPosition}\n`);
      });
    } finally {
      bar?.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
  return cmd;
}
