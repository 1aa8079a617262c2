import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { LlmError } from '../../../src/core/llm/errors';
import { backoffDelay, decideRetry, DEFAULT_RETRY_POLICY, parseRetryAfter } from '../../../src/core/llm/retry';

const headers = (h: Record<string, string>) => new Headers(h);
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

describe('llm/retry', () => {
  it('reads Retry-After in seconds, as an HTTP date, and retry-after-ms first', () => {
    assert.equal(parseRetryAfter(headers({ 'retry-after': '120' }), NOW), 120_000);
    assert.equal(parseRetryAfter(headers({ 'retry-after': new Date(NOW + 90_000).toUTCString() }), NOW), 90_000);
    assert.equal(parseRetryAfter(headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), NOW), 1500);
    assert.equal(parseRetryAfter(headers({ 'retry-after': new Date(NOW - 5_000).toUTCString() }), NOW), 0);
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'soon' }), NOW), undefined);
    assert.equal(parseRetryAfter(headers({}), NOW), undefined);
  });

  it('keeps full-jitter backoff within [0, min(max, base·2^(n-1)))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const delay = backoffDelay(attempt, DEFAULT_RETRY_POLICY, () => r);
        const ceiling = Math.min(DEFAULT_RETRY_POLICY.maxDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** (attempt - 1));
        assert.ok(delay >= 0 && delay < ceiling, `${delay} outside [0, ${ceiling})`);
      }),
    );
  });

  it('waits what the server asks, even beyond 60 s, up to the cap', () => {
    const asked = new LlmError('rate-limited', 'slow down', { retryable: true, retryAfterMs: 120_000 });
    assert.deepEqual(decideRetry(asked, 1, DEFAULT_RETRY_POLICY, () => 0.5), { retry: true, delayMs: 120_000, source: 'retry-after' });
    const tooLong = new LlmError('rate-limited', 'slow down', { retryable: true, retryAfterMs: 3_600_000 });
    const decision = decideRetry(tooLong, 1, DEFAULT_RETRY_POLICY, () => 0.5);
    assert.equal(decision.retry, false);
    assert.match((decision as { reason: string }).reason, /3600 s.*600 s/);
  });

  it('stops at the attempt bound and on non-retryable errors', () => {
    const transient = new LlmError('server', 'boom', { retryable: true });
    assert.equal(decideRetry(transient, DEFAULT_RETRY_POLICY.maxAttempts, DEFAULT_RETRY_POLICY, () => 0).retry, false);
    assert.equal(decideRetry(transient, DEFAULT_RETRY_POLICY.maxAttempts - 1, DEFAULT_RETRY_POLICY, () => 0).retry, true);
    assert.equal(decideRetry(new LlmError('auth', 'no'), 1, DEFAULT_RETRY_POLICY, () => 0).retry, false);
  });
});
