/**
 * Seen in every `truce optimize` run of the hardening benches: "MaxListenersExceededWarning:
 * Possible EventTarget memory leak detected. 11 abort listeners added to [AbortSignal]" on the
 * user's terminal, because each call in flight listens on the caller's one cancel signal. Many
 * concurrent calls on one signal are the design, so the warning must not appear.
 */
import { strict as assert } from 'node:assert';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { makeHarness, user } from '../llm/helpers';

describe('hardening: many calls sharing one cancel signal', () => {
  let server: FakeOpenAiServer;
  afterEach(async () => {
    await server.close();
  });

  it('runs 24 concurrent calls on one signal without a MaxListenersExceededWarning', async function () {
    this.timeout(60_000);
    // Each reply waits until 12 calls are in the server together (or 20 s pass): overlap is then a
    // fact of the test, not a matter of how fast a loaded machine starts 24 requests.
    let arrived = 0;
    let release: () => void = () => {};
    const together = new Promise<void>((resolve) => (release = resolve));
    const cap = setTimeout(release, 20_000);
    server = await start({
      responder: async () => {
        if (++arrived >= 12) release();
        await together;
        return 'ok';
      },
    });
    const { client } = makeHarness({ baseUrl: server.url, maxConcurrency: 32 });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const signal = new AbortController().signal;
      const results = await Promise.all(Array.from({ length: 24 }, (_, i) => client.chat({ messages: user(`q${i}`) }, { phase: 'test', signal })));
      assert.equal(results.length, 24);
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
    } finally {
      clearTimeout(cap);
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings.filter((w) => w === 'MaxListenersExceededWarning'), []);
    assert.ok(server.stats.maxInFlight > 10, 'the calls were really in flight together');
  });
});
