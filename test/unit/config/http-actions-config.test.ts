import { expect } from 'chai';
import { issueAt, minimalConfig, parse, rejection } from './config-test-helpers.js';

describe('http.allowActions and http.actionToken (#19)', () => {
  it('keeps the status page read-only by default', async () => {
    const c = await parse(minimalConfig());
    expect(c.http.allowActions).to.equal(false);
    expect(c.http.actionToken).to.equal(undefined);
  });

  it('refuses allowActions without a token, or with a short one, naming the key', async () => {
    const none = await rejection({ ...minimalConfig(), http: { allowActions: true } });
    expect(issueAt(none, 'http.actionToken')).to.match(/at least 16 characters/);
    const short = await rejection({ ...minimalConfig(), http: { allowActions: true, actionToken: 'short' } });
    expect(issueAt(short, 'http.actionToken')).to.match(/at least 16 characters/);
  });

  it('takes the token from the environment and never prints it', async () => {
    const c = await parse({ ...minimalConfig(), http: { allowActions: true, actionToken: '${ACTION_TOKEN}' } }, { ACTION_TOKEN: 'a-long-enough-token-123' });
    expect(c.http.actionToken?.reveal()).to.equal('a-long-enough-token-123');
    expect(JSON.stringify(c.http)).not.to.contain('a-long-enough-token-123');
  });
});
