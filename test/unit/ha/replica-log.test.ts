import { expect } from 'chai';
import { ReplicaLog } from '../../../tools/emulator/replica-log.js';

/** Issue #14: the emulator's record of which replica called when, and what counts as two pushing at once. */
describe('emulator replica log (#14)', () => {
  const headers = (replica: string, token: string) => ({ 'x-cidaas-sync-replica': replica, 'x-cidaas-sync-fence': token });

  it('records only calls that name a replica, and sees no overlap when each term ends before the next begins', () => {
    const log = new ReplicaLog();
    expect(log.begin({}, 'bulk')).to.equal(null);
    const a = log.begin(headers('a', '1'), 'bulk')!;
    a.endedAt = a.startedAt;
    const b = log.begin(headers('b', '2'), 'bulk')!;
    b.endedAt = b.startedAt + 1;
    const report = log.report();
    expect(report.calls).to.equal(2);
    expect(report.terms.map((t) => [t.replica, t.token, t.calls])).to.deep.equal([['a', '1', 1], ['b', '2', 1]]);
    expect(report.overlaps).to.deep.equal([]);
  });

  it('reports an older token that still called after a newer one began', () => {
    const log = new ReplicaLog();
    const a = log.begin(headers('a', '9'), 'bulk')!;
    const b = log.begin(headers('b', '10'), 'bulk')!;
    b.endedAt = Date.now();
    a.endedAt = b.startedAt + 5; // the old holder's call ended after the new holder's began
    const report = log.report();
    expect(report.terms.map((t) => t.token)).to.deep.equal(['9', '10']);
    expect(report.overlaps).to.have.length(1);
    expect(report.overlaps[0]).to.match(/token 9 \(a\).*token 10 \(b\)/);
  });
});
