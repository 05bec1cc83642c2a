import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { confirmRepairPlan } from '../../../src/cli/confirm-repair-plan.js';

/** A stdin that says it is a terminal, with `typed` already typed. */
function terminal(typed: string | null): PassThrough & { isTTY: boolean } {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  if (typed !== null) input.end(typed);
  return input;
}

async function ask(typed: string): Promise<{ ok: boolean; shown: string }> {
  const output = new PassThrough();
  let shown = '';
  output.on('data', (c: Buffer) => { shown += c.toString(); });
  const ok = await confirmRepairPlan({ yes: false, input: terminal(typed), output });
  return { ok, shown };
}

describe('check --fix asks before it changes the source database (#13)', () => {
  it('on a terminal runs the plan only after a "y" or "yes" typed at its prompt', async () => {
    for (const typed of ['y\n', 'YES\n', ' yes \n']) expect((await ask(typed)).ok, typed).to.equal(true);
    for (const typed of ['\n', 'n\n', 'no\n', 'yep\n', 'sure\n']) expect((await ask(typed)).ok, typed).to.equal(false);
    expect((await ask('y\n')).shown).to.contain('run these statements? [y/N]');
  });

  it('with --yes runs without asking, and off a terminal never asks and runs nothing', async () => {
    const untouched = terminal(null);
    expect(await confirmRepairPlan({ yes: true, input: untouched, output: new PassThrough() })).to.equal(true);
    const piped = Object.assign(new PassThrough(), { isTTY: false });
    piped.end('y\n');
    expect(await confirmRepairPlan({ yes: false, input: piped, output: new PassThrough() })).to.equal(false);
  });
});
