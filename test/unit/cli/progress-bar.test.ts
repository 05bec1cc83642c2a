import { Writable } from 'node:stream';
import { expect } from 'chai';
import { ProgressBar } from '../../../src/cli/output/progress-bar.js';

/** A terminal that keeps what is drawn on it. */
function terminal(): { out: { stream: Writable; isTTY: boolean }; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { chunks.push(chunk.toString()); done(); } });
  Object.assign(stream, { isTTY: true, columns: 200, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { out: { stream, isTTY: true }, text: () => chunks.join('') };
}

describe('the one progress bar of run, backfill, verify and the demo (#17)', () => {
  it('draws no bar off a terminal or with --no-progress', () => {
    expect(ProgressBar.open(true, { label: 'backfill' }, { stream: new Writable(), isTTY: false })).to.equal(null);
    expect(ProgressBar.open(false, { label: 'backfill' }, terminal().out)).to.equal(null);
  });

  it('grows an estimated total to what is done and shows the rate when asked', () => {
    const t = terminal();
    const bar = ProgressBar.open(true, { label: 'backfill', rate: true, indent: '  ' }, t.out)!;
    bar.update(5, 4, 12.4);
    bar.stop();
    expect(t.text()).to.include('  backfill |').and.to.include('5/5 users').and.to.include('12 users/s');
  });
});
