import { strict as assert } from 'node:assert';
import { LlmError } from '../../../src/core/llm/errors';
import { ConcurrencyLimiter } from '../../../src/core/llm/limiter';
import { RateLimiter } from '../../../src/core/llm/rateLimiter';
import { TestClock } from './helpers';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('llm/limiter', () => {
  it('never runs more than maxConcurrent tasks and serves waiters in order', async () => {
    const limiter = new ConcurrencyLimiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates: Array<() => void> = [];
    const tasks = Array.from({ length: 6 }, (_, i) =>
      limiter.run(async () => {
        running++;
        peak = Math.max(peak, running);
        order.push(i);
        await new Promise<void>((r) => gates.push(r));
        running--;
      }),
    );
    while (order.length < 6) {
      await tick();
      gates.shift()?.();
    }
    gates.forEach((g) => g());
    await Promise.all(tasks);
    assert.equal(peak, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
    assert.equal(limiter.inFlight, 0);
  });

  it('drops a cancelled waiter from the queue without losing a slot', async () => {
    const limiter = new ConcurrencyLimiter(1);
    const first = await limiter.acquire();
    const controller = new AbortController();
    const cancelled = limiter.acquire(controller.signal);
    const next = limiter.acquire();
    controller.abort();
    await assert.rejects(cancelled, (e: unknown) => e instanceof LlmError && e.kind === 'aborted');
    assert.equal(limiter.queued, 1);
    first();
    const release = await next;
    assert.equal(limiter.inFlight, 1);
    release();
    release(); // idempotent
    assert.equal(limiter.inFlight, 0);
  });
});

describe('llm/rateLimiter', () => {
  it('spaces requests to the requests-per-minute limit once the bucket is empty', async () => {
    const clock = new TestClock();
    const start = clock.now();
    const limiter = new RateLimiter({ requestsPerMinute: 60 }, clock);
    const times: number[] = [];
    for (let i = 0; i < 63; i++) {
      await limiter.acquire(1);
      times.push(clock.now() - start);
    }
    // A full bucket lets 60 through at once; then one per second.
    assert.deepEqual(times.slice(0, 60), new Array(60).fill(0));
    assert.deepEqual(times.slice(60), [1000, 2000, 3000]);
  });

  it('waits for token capacity and accounts actual usage afterwards', async () => {
    const clock = new TestClock();
    const start = clock.now();
    const limiter = new RateLimiter({ tokensPerMinute: 1000 }, clock);
    await limiter.acquire(600);
    limiter.reconcileTokens(600, 900); // the request really used 900
    await limiter.acquire(500); // 100 left: needs 400 more = 24 s
    assert.equal(clock.now() - start, 24_000);
  });

  it('holds every caller until a server-requested pause has passed', async () => {
    const clock = new TestClock();
    const start = clock.now();
    const limiter = new RateLimiter({}, clock);
    limiter.holdUntil(start + 120_000);
    await Promise.all([limiter.acquire(1), limiter.acquire(1)]);
    assert.equal(clock.now() - start, 120_000);
  });

  it('stops waiting when cancelled', async () => {
    const clock = new TestClock(undefined, false);
    const limiter = new RateLimiter({ requestsPerMinute: 1 }, clock);
    await limiter.acquire(1);
    const controller = new AbortController();
    const waiting = limiter.acquire(1, controller.signal);
    await clock.whenSleeping();
    controller.abort();
    await assert.rejects(waiting, (e: unknown) => e instanceof LlmError && e.kind === 'aborted');
  });
});
