/**
 * Gateway traffic obeys the executor endpoint's limits: its maxConcurrency bounds the MAS's calls in
 * flight at the endpoint (shared with TRUCE's own calls), a streamed reply holds its slot until it
 * has been read to its end or abandoned, requestsPerMinute makes forwarded calls wait their turn
 * on the clock, and a 429 with Retry-After holds the next caller.
 */
import { strict as assert } from 'node:assert';
import { startGateway } from '../../../src/core/gateway';
import { ConcurrencyLimiter } from '../../../src/core/llm/limiter';
import { createLlmServices, LlmClient, type Clock } from '../../../src/core/llm';
import { RateLimiter } from '../../../src/core/llm/rateLimiter';
import { limitedForward } from '../../../src/core/llm/limitedForward';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';

/** A clock whose sleeps pass at once and are written down. */
function manualClock(): Clock & { slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('gateway: the executor endpoint\'s concurrency and rate limits', function () {
  this.timeout(30_000);
  let server: FakeOpenAiServer;
  afterEach(async () => server?.close());

  it('never has more calls in flight at the endpoint than its maxConcurrency, however many the MAS sends', async () => {
    server = await start({ baseLatencyMs: 60 });
    const executor = new LlmClient('executor', { baseUrl: server.url, model: 'fake-model', maxConcurrency: 2 }, createLlmServices({ env: {} }));
    const gateway = await startGateway({ upstream: { label: 'fake', forward: (path, init) => executor.forward(path, init) } });
    try {
      const ask = (i: number) =>
        fetch(`${gateway.url}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: `q${i}` }] }),
        }).then((r) => r.json() as Promise<{ choices: Array<{ message: { content: string } }> }>);
      const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => ask(i)));
      assert.equal(replies.length, 8);
      assert.ok(replies.every((r) => typeof r.choices[0]?.message.content === 'string'));
      assert.equal(server.stats.maxInFlight, 2, 'two at a time at the endpoint');
      assert.equal(server.chatRequests().length, 8);
    } finally {
      await gateway.close();
    }
  });

  it('holds a streamed reply\'s slot until the reply has been read to its end, or abandoned', async () => {
    const limiters = { concurrency: new ConcurrencyLimiter(1), rate: new RateLimiter({}, manualClock()) };
    let push: ((chunk: string | null) => void) | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (chunk) => (chunk === null ? controller.close() : controller.enqueue(new TextEncoder().encode(chunk)));
      },
    });
    const response = await limitedForward(limiters, manualClock(), 10, undefined, async () => new Response(body, { status: 200 }));
    assert.equal(limiters.concurrency.inFlight, 1, 'headers arrived, the stream has not ended');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    push?.('data: 1\n\n');
    await reader.read();
    assert.equal(limiters.concurrency.inFlight, 1, 'still streaming');
    push?.(null);
    assert.equal((await reader.read()).done, true);
    assert.equal(limiters.concurrency.inFlight, 0, 'released at the end');

    const second = await limitedForward(limiters, manualClock(), 10, undefined, async () => new Response(new ReadableStream({ start() {} }), { status: 200 }));
    assert.equal(limiters.concurrency.inFlight, 1);
    await (second.body as ReadableStream<Uint8Array>).cancel('client left');
    assert.equal(limiters.concurrency.inFlight, 0, 'released when abandoned');
  });

  it('makes forwarded calls wait for requestsPerMinute, and holds the next caller after a 429 with Retry-After', async () => {
    const clock = manualClock();
    const limiters = { concurrency: new ConcurrencyLimiter(8), rate: new RateLimiter({ requestsPerMinute: 2 }, clock) };
    const ok = async () => new Response('{}', { status: 200 });
    for (let i = 0; i < 3; i++) await (await limitedForward(limiters, clock, 10, undefined, ok)).text();
    assert.ok(clock.slept.reduce((a, b) => a + b, 0) >= 20_000, `the third of 2 per minute waited (slept ${clock.slept.join(', ')} ms)`);

    const held = manualClock();
    const open = { concurrency: new ConcurrencyLimiter(8), rate: new RateLimiter({}, held) };
    await (await limitedForward(open, held, 10, undefined, async () => new Response('slow down', { status: 429, headers: { 'retry-after': '7' } }))).text();
    await (await limitedForward(open, held, 10, undefined, ok)).text();
    assert.deepEqual(held.slept, [7_000]);
  });
});
