/**
 * Requests-per-minute and tokens-per-minute limits as token buckets on the injected clock, plus a
 * shared "hold" gate: when one call learns from a 429 that the endpoint wants a pause, every other
 * call to that endpoint waits too instead of collecting its own 429.
 */
import { raceAbort, throwIfAborted, type Clock } from './clock';

export interface RateLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

const MINUTE_MS = 60_000;

/** Continuous refill at capacity/minute; starts full so a run does not begin with a stall. */
class Bucket {
  private level: number;
  private updatedAt: number;

  constructor(
    readonly capacity: number,
    now: number,
  ) {
    this.level = capacity;
    this.updatedAt = now;
  }

  refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.level = Math.min(this.capacity, this.level + (elapsed * this.capacity) / MINUTE_MS);
    this.updatedAt = now;
  }

  /** ms until `amount` is available; an amount above capacity waits for a full bucket. */
  waitFor(amount: number): number {
    const need = Math.min(amount, this.capacity);
    return need <= this.level ? 0 : Math.ceil(((need - this.level) * MINUTE_MS) / this.capacity);
  }

  take(amount: number): void {
    this.level -= amount;
  }
}

export class RateLimiter {
  private readonly requests: Bucket | undefined;
  private readonly tokens: Bucket | undefined;
  private holdUntilMs = 0;
  /** Waiters are served in arrival order so a large request is not starved by small ones. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    limits: RateLimits,
    private readonly clock: Clock,
  ) {
    const now = clock.now();
    if (limits.requestsPerMinute !== undefined) this.requests = new Bucket(limits.requestsPerMinute, now);
    if (limits.tokensPerMinute !== undefined) this.tokens = new Bucket(limits.tokensPerMinute, now);
  }

  /** Waits until one request of about `tokens` tokens may be sent, then takes it from the buckets. */
  acquire(tokens: number, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    const turn = this.tail.then(() => this.waitTurn(tokens, signal));
    // A cancelled waiter must not block the ones queued behind it.
    this.tail = turn.catch(() => undefined);
    return raceAbort(turn, signal);
  }

  /** Every caller waits until `timeMs` (later holds extend, earlier ones are ignored). */
  holdUntil(timeMs: number): void {
    this.holdUntilMs = Math.max(this.holdUntilMs, timeMs);
  }

  /** Corrects the token bucket once the real usage of a request is known. */
  reconcileTokens(estimated: number, actual: number): void {
    if (!this.tokens) return;
    this.tokens.refill(this.clock.now());
    this.tokens.take(actual - estimated);
  }

  private async waitTurn(tokens: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      throwIfAborted(signal);
      const now = this.clock.now();
      this.requests?.refill(now);
      this.tokens?.refill(now);
      const wait = Math.max(this.holdUntilMs - now, this.requests?.waitFor(1) ?? 0, this.tokens?.waitFor(tokens) ?? 0);
      if (wait <= 0) {
        this.requests?.take(1);
        this.tokens?.take(tokens);
        return;
      }
      await this.clock.sleep(wait, signal);
    }
  }
}
