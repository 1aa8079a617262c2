import { strict as assert } from 'node:assert';
import { z } from 'zod';
import { callStructured, type StructuredResult } from '../../../src/core/llm/structured';
import { start, TRANSPORT_FAULTS, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { makeHarness, user } from './helpers';

const Verdict = z.object({ taskId: z.string(), correct: z.boolean(), confidence: z.number().min(0).max(1) });
type Verdict = z.infer<typeof Verdict>;

describe('llm under random faults', () => {
  let server: FakeOpenAiServer;
  afterEach(async () => {
    await server.close();
  });

  it('completes 100 structured calls at 30 % faults with exact accounting', async function () {
    // Backoff is instant (test clock) but the two hangs each wait out a real 2 s timeout.
    this.timeout(20_000);
    server = await start({
      // The task id comes from the first user message, so repairs answer for the same task.
      responder: (req) => ({ json: { taskId: req.messages.find((m) => m.role === 'user')?.content, correct: req.seq % 2 === 0, confidence: 0.5 } }),
      faults: {
        // Two hangs up front (each costs a real timeout), then 30 % drawn from every other kind.
        script: ['hang', 'hang'],
        probability: 0.3,
        seed: 2024,
        kinds: ['rate-limit', 'server-error', 'unavailable', 'reset', 'slow', 'fenced', 'prose', 'invalid', 'wrong-schema', 'truncated'],
        retryAfterSeconds: 3,
        slowMs: 5,
      },
    });
    const { client, services, records } = makeHarness(
      { baseUrl: server.url, maxConcurrency: 8, timeoutMs: 2000, structuredOutput: 'prompt', pricePer1kInput: 0.5, pricePer1kOutput: 1.5 },
      { retry: { maxAttempts: 10 } },
    );
    const results: Array<StructuredResult<Verdict>> = await Promise.all(
      Array.from({ length: 100 }, (_, i) => callStructured(client, { messages: user(`task-${i}`), schema: Verdict, schemaName: 'verdict' }, { phase: 'judge', agent: `a${i % 4}` })),
    );

    // Every call ends in a validated value or a typed failure; none throws, none is guessed.
    for (const [i, r] of results.entries()) {
      if (r.ok) assert.equal(r.value.taskId, `task-${i}`);
      else assert.equal(r.error.kind, 'invalid-output');
    }
    const requests = server.chatRequests();
    const injected = requests.filter((r) => r.fault).length;
    assert.ok(injected >= 20, `only ${injected} faults injected`);
    assert.ok(requests.some((r) => r.fault && TRANSPORT_FAULTS.has(r.fault)) && requests.some((r) => r.fault === 'invalid'));
    assert.equal(requests.filter((r) => r.fault === 'hang').length, 2);

    const repairs = results.reduce((n, r) => n + r.calls.length - 1, 0);
    const total = services.accounting.snapshot().total;
    // Calls once each (first call + repairs), attempts separately (= every request the server saw).
    assert.equal(total.calls, 100 + repairs);
    assert.equal(records.length, 100 + repairs);
    assert.equal(total.failedCalls, 0);
    assert.equal(total.attempts, requests.length);
    assert.ok(total.attempts > total.calls);
    const answered = requests.filter((r) => r.status === 200);
    assert.equal(answered.length, total.calls, 'exactly one answered request per call');
    const inTokens = answered.reduce((n, r) => n + r.usage!.prompt_tokens, 0);
    const outTokens = answered.reduce((n, r) => n + r.usage!.completion_tokens, 0);
    assert.equal(total.inputTokens, inTokens);
    assert.equal(total.outputTokens, outTokens);
    assert.ok(Math.abs(total.costUsd - (inTokens * 0.5 + outTokens * 1.5) / 1000) < 1e-9);
    assert.equal(
      Object.values(services.accounting.snapshot().byAgent).reduce((n, t) => n + t.calls, 0),
      total.calls,
    );
  });
});
