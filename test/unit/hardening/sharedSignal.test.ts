/**
 * Seen in every `truce optimize` run of the hardening benches: "MaxListenersExceededWarning:
 * Possible EventTarget memory leak detected. 11 abort listeners added to [AbortSignal]" on the
 * user's terminal, because each call in flight listens on the caller's one cancel signal. Many
 * concurrent calls on one signal are the design, so the warning must not appear.
 */
import { strict as assert } from 'node:assert';
import { getEventListeners } from 'node:events';
import { z } from 'zod';
import { callStructured } from '../../../src/core/llm/structured';
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

  // `truce suggest` printed the warning: its Ψ calls (one per task and agent, all at once) each wait
  // on the caller's signal for the endpoint's one json_schema probe, before any of them reaches
  // the client that lifts the limit. The waits end with the probe, so no listener outlives them.
  it('lets 24 structured calls wait on the one capability probe without a warning, and leaves no listener behind', async function () {
    this.timeout(60_000);
    let probes = 0;
    server = await start({
      responder: async (request) => {
        if (request.jsonSchema?.name === 'truce_probe') {
          probes++;
          // The probe answers late, so every caller is waiting on it.
          await new Promise((r) => setTimeout(r, 200));
          return { json: { ok: true } };
        }
        return { json: { answer: request.lastUser } };
      },
    });
    const { client } = makeHarness({ baseUrl: server.url, maxConcurrency: 32 });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const signal = new AbortController().signal;
    try {
      const schema = z.object({ answer: z.string() });
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => callStructured(client, { messages: user(`q${i}`), schema, schemaName: 'answer' }, { phase: 'psi', signal })),
      );
      assert.deepEqual(results.map((r) => r.ok && r.value.answer), Array.from({ length: 24 }, (_, i) => `q${i}`));
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    assert.equal(probes, 1, 'the callers shared one probe');
    assert.deepEqual(warnings.filter((w) => w === 'MaxListenersExceededWarning'), []);
    assert.equal(getEventListeners(signal, 'abort').length, 0, 'every call removed its abort listener');
  });
});

