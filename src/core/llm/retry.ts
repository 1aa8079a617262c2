/**
 * Retry decisions as pure functions: how long a server asked us to wait, and whether / how long
 * to wait before the next attempt. The loop that sleeps lives in client.ts.
 */
import type { LlmError } from './errors';

export interface RetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** Backoff ceiling for attempt n is min(maxDelayMs, baseDelayMs · 2^(n-1)). */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * The longest server-requested wait we accept. The OpenAI SDK caps this at 60 s; providers do
   * ask for minutes when a quota window resets, and waiting is cheaper than failing a run.
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 10 * 60_000,
};

export interface HeaderSource {
  get(name: string): string | null;
}

/**
 * The wait a response asks for, in ms: `retry-after-ms` (OpenAI/Azure extension) first, then
 * `Retry-After` as delta-seconds or an HTTP date. Undefined when absent or unreadable.
 */
export function parseRetryAfter(headers: HeaderSource, nowMs: number): number | undefined {
  const ms = headers.get('retry-after-ms')?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Number(ms);
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** "Full jitter": uniform in [0, ceiling), which spreads a burst of failed callers best. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export type RetryDecision =
  | { retry: true; delayMs: number; source: 'retry-after' | 'backoff' }
  | { retry: false; reason?: string };

/** `attempt` is the number of attempts made so far (1 after the first failure). */
export function decideRetry(error: LlmError, attempt: number, policy: RetryPolicy, random: () => number): RetryDecision {
  if (!error.retryable || attempt >= policy.maxAttempts) return { retry: false };
  if (error.retryAfterMs !== undefined) {
    if (error.retryAfterMs > policy.maxRetryAfterMs) {
      return {
        retry: false,
        reason:
          `the server asks to wait ${Math.ceil(error.retryAfterMs / 1000)} s, ` +
          `longer than the configured cap of ${Math.round(policy.maxRetryAfterMs / 1000)} s (retry.maxRetryAfterMs)`,
      };
    }
    return { retry: true, delayMs: error.retryAfterMs, source: 'retry-after' };
  }
  return { retry: true, delayMs: backoffDelay(attempt, policy, random), source: 'backoff' };
}
