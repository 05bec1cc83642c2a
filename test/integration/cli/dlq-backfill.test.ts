import { expect } from 'chai';
import { cliFixture, type CliFixture } from './cli-fixture.js';
import { described, jsonOf, runCli } from './cli-run.js';

interface DlqJson {
  total: number;
  deadLetters: { key: string; reason: string; attempts: number; permanent: boolean }[];
}

const REASON = 'blocked by the cli test';

describe('cidaas-sync backfill and dlq', function () {
  this.timeout(60_000);
  let f: CliFixture;
  const ids: number[] = [];
  const cli = (...args: string[]) => runCli([...args, '--config', f.config.path]);

  before(async () => {
    f = await cliFixture();
    for (let i = 1; i <= 5; i++) ids.push(await f.shop.insertUser({ email: `user${i}@example.com`, first_name: `User ${i}` }));
    f.emulator.addFaults([2, 3, 4].map((i) => ({ failEmail: `user${i}@example.com`, message: REASON })));
  });
  after(async () => { await f?.close(); });
  /** The legacy key of the n-th user (1-based). */
  const key = (n: number): string => String(ids[n - 1]);

  it('backfill pushes every user once, dead-letters the refused ones, and exits', async () => {
    const r = await cli('backfill');
    expect(r.code, described(r)).to.equal(0);
    expect(r.stdout).to.match(/^backfill done: 5 users in \d+ s, 3 dead letters \(`cidaas-sync dlq list`\); `cidaas-sync run` streams from [0-9A-F]+\/[0-9A-F]+$/m);
    expect(f.emulator.users().map((u) => u.sub)).to.have.members([`legacy-${key(1)}`, `legacy-${key(5)}`]);
    const again = await cli('backfill');
    expect(again.code, described(again)).to.equal(0);
    expect(again.stdout).to.match(/^backfill already done: 5 users, finished \S+; `backfill --restart` walks every user again$/m);
  });

  it('dlq list shows each dead letter with its reason, as a table and as JSON', async () => {
    const [json, plain] = await Promise.all([cli('dlq', 'list', '--json'), cli('dlq', 'list')]);
    expect(json.code, described(json)).to.equal(0);
    const out = jsonOf<DlqJson>(json);
    expect(out.total).to.equal(3);
    expect(out.deadLetters.map((d) => d.key)).to.deep.equal([key(2), key(3), key(4)]);
    expect(out.deadLetters[0]).to.include({ reason: REASON, attempts: 1, permanent: true });
    expect(plain.code, described(plain)).to.equal(0);
    expect(plain.stdout).to.match(/^KEY\s+ATTEMPTS\s+LAST SEEN\s+KIND\s+REASON$/m);
    expect(plain.stdout).to.match(new RegExp(`^${key(2)}\\s+1\\s+\\S+\\s+permanent\\s+${REASON}$`, 'm'));
    expect(plain.stdout).to.include('3 of 3 dead letters');
  });

  it('dlq retry reports a user that fails again and exits 1', async () => {
    const r = await cli('dlq', 'retry', key(2));
    expect(r.code, described(r)).to.equal(1);
    expect(r.stdout).to.match(new RegExp(`^${key(2)}\\s+failed\\s+failed again: ${REASON}$`, 'm'));
    const out = jsonOf<DlqJson>(await cli('dlq', 'list', '--json'));
    expect(out.deadLetters.find((d) => d.key === key(2))?.attempts).to.equal(2);
  });

  it('dlq drop --all needs --yes; drop by key removes only listed keys', async () => {
    const all = await cli('dlq', 'drop', '--all');
    expect(all.code, described(all)).to.equal(2);
    expect(all.stderr).to.include('USAGE: dlq drop --all would remove every dead letter (3) without pushing them');
    expect(all.stderr).to.include('add --yes to confirm');
    const some = await cli('dlq', 'drop', key(2), '999999');
    expect(some.code, described(some)).to.equal(0);
    expect(some.stdout.trim()).to.equal('removed 1 dead letter (1 of the keys given were not in the list)');
  });

  it('dlq retry --all pushes what cidaas now accepts and takes gone users off the list', async () => {
    await fetch(`${f.emulator.url}/_emulator/faults`, { method: 'DELETE' });
    await f.shop.hardDelete(ids[3]!);
    const r = await cli('dlq', 'retry', '--all');
    expect(r.code, described(r)).to.equal(0);
    expect(r.stdout).to.match(new RegExp(`^${key(3)}\\s+pushed\\s+pushed as legacy-${key(3)}$`, 'm'));
    expect(r.stdout).to.match(new RegExp(`^${key(4)}\\s+removed\\s+nothing to push now`, 'm'));
    expect(f.emulator.getUser(`legacy-${key(3)}`)?.email).to.equal('user3@example.com');
    expect(jsonOf<DlqJson>(await cli('dlq', 'list', '--json')).total).to.equal(0);
  });

  it('backfill --restart walks every user again and sweeps users deleted meanwhile', async () => {
    await f.shop.hardDelete(ids[4]!);
    const r = await cli('backfill', '--restart');
    expect(r.code, described(r)).to.equal(0);
    expect(r.stdout).to.include('backfill progress cleared: every user is walked again.');
    expect(r.stdout).to.match(/^backfill done: 3 users in \d+ s, 1 deleted meanwhile swept, 0 dead letters;/m);
    // The dropped dead letter was never pushed: the walk pushes it now; the deleted user is purged.
    expect(f.emulator.getUser(`legacy-${key(2)}`)?.email).to.equal('user2@example.com');
    expect(f.emulator.getUser(`legacy-${key(5)}`)).to.equal(undefined);
  });
});
