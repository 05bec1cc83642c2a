import { expect } from 'chai';
import { RetryPolicy, parseRetryAfter, retryableError, retryableStatus } from '../../src/cidaas/retry-policy.js';

describe('RetryPolicy', () => {
  it('draws the n-th backoff from [0, min(max, base * 2^(n-1))) (full jitter)', () => {
    const top = new RetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 }, () => 0.999);
    expect([1, 2, 3, 4, 5, 6].map((n) => top.delayMs(n))).to.deep.equal([99, 199, 399, 799, 999, 999]);
    const bottom = new RetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 }, () => 0);
    expect(bottom.delayMs(4)).to.equal(0);
  });

  it('waits at least Retry-After, plus at most one base delay of jitter', () => {
    const p = new RetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 }, () => 0.5);
    expect(p.delayMs(3, 5000)).to.equal(5050);
  });

  it('caps an absurd Retry-After at ten minutes', () => {
    const p = new RetryPolicy({ baseDelayMs: 10 }, () => 0);
    expect(p.delayMs(1, 86_400_000)).to.equal(600_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).to.equal(3000);
    expect(parseRetryAfter(undefined)).to.equal(undefined);
    expect(parseRetryAfter('soon')).to.equal(undefined);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:02 GMT', now)).to.equal(2000);
  });

  it('repeats 429, 408 and 5xx but not other statuses', () => {
    expect([429, 408, 500, 502, 503, 504].map(retryableStatus).every(Boolean)).to.equal(true);
    expect([200, 400, 401, 403, 404, 413, 417].map(retryableStatus).some(Boolean)).to.equal(false);
  });

  it('repeats timeouts and dropped connections but not other errors', () => {
    expect(retryableError(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))).to.equal('timeout');
    expect(retryableError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).to.match(/connection lost/);
    expect(retryableError(Object.assign(new Error('read'), { code: 'ECONNRESET' }))).to.match(/connection lost/);
    expect(retryableError(new TypeError('bug'))).to.equal(undefined);
  });
});
