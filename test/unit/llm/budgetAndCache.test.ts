import { strict as assert } from 'node:assert';
import { z } from 'zod';
import { Budget } from '../../../src/core/llm/budget';
import { callStructured } from '../../../src/core/llm/structured';
import { BudgetExceededError, ReplayMissError } from '../../../src/core/llm/errors';
import { DiskResponseCache } from '../../../src/core/llm/responseCache';
import { estimatePromptTokens } from '../../../src/core/llm/tokens';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { makeHarness, readTree, tempDir, user } from './helpers';

describe('llm budget, accounting and response cache', () => {
  let server: FakeOpenAiServer;
  beforeEach(async () => {
    server = await start();
  });
  afterEach(async () => {
    await server.close();
  });

  it('refuses the call that would exceed the token cap before sending it', async () => {
    // Each call is estimated at prompt/4 + maxTokens = 107 tokens and really uses 100.
    server.setResponder(() => ({ content: 'fine', usage: { prompt_tokens: 50, completion_tokens: 50 } }));
    assert.equal(estimatePromptTokens(user('question 0')) + 100, 107);
    const budget = new Budget({ maxTokens: 300 });
    const { client, records, services } = makeHarness({ baseUrl: server.url, maxTokens: 100 }, { budget });
    await client.chat({ messages: user('question 0') }, { phase: 'rollout' });
    await client.chat({ messages: user('question 1') }, { phase: 'rollout' });
    // 200 spent + 107 estimated > 300: refused although 300 - 200 = 100 would have been enough.
    await assert.rejects(client.chat({ messages: user('question 2') }, { phase: 'rollout' }), (error: unknown) => {
      assert.ok(error instanceof BudgetExceededError);
      assert.equal(error.dimension, 'tokens');
      assert.equal(error.spent, 200);
      assert.equal(error.requested, 107);
      assert.match(error.message, /budget\.maxTokens/);
      return true;
    });
    assert.equal(server.chatRequests().length, 2);
    assert.deepEqual(budget.snapshot().spent, { calls: 2, tokens: 200, costUsd: 0 });
    assert.equal(budget.snapshot().reserved.tokens, 0);
    assert.equal(records.at(-1)?.error?.kind, 'budget-exceeded');
    assert.equal(records.at(-1)?.attempts, 0);
    assert.equal(services.accounting.snapshot().total.unsentCalls, 1);
  });

  it('refuses on the call cap and the cost cap', async () => {
    const calls = makeHarness({ baseUrl: server.url }, { budget: new Budget({ maxCalls: 2 }) });
    await calls.client.chat({ messages: user('a') }, { phase: 'rollout' });
    await calls.client.chat({ messages: user('b') }, { phase: 'rollout' });
    await assert.rejects(calls.client.chat({ messages: user('c') }, { phase: 'rollout' }), (e: unknown) => e instanceof BudgetExceededError && e.dimension === 'calls');
    assert.equal(server.chatRequests().length, 2);

    const cost = makeHarness({ baseUrl: server.url, pricePer1kInput: 10, pricePer1kOutput: 10, maxTokens: 10 }, { budget: new Budget({ maxCostUsd: 0.01 }) });
    await assert.rejects(cost.client.chat({ messages: user('x'.repeat(400)) }, { phase: 'rollout' }), (e: unknown) => e instanceof BudgetExceededError && e.dimension === 'costUsd');
    assert.equal(server.chatRequests().length, 2);
  });

  it('accounts tokens and cost per phase and per agent', async () => {
    const { client, services } = makeHarness({ baseUrl: server.url, pricePer1kInput: 1, pricePer1kOutput: 1 });
    await client.chat({ messages: user('plan the work') }, { phase: 'rollout', agent: 'planner' });
    await client.chat({ messages: user('solve it') }, { phase: 'rollout', agent: 'solver' });
    await client.chat({ messages: user('judge it') }, { phase: 'judge' });
    const snap = services.accounting.snapshot();
    const usage = server.chatRequests().map((r) => r.usage!);
    const tokens = (i: number) => usage[i]!.prompt_tokens + usage[i]!.completion_tokens;
    assert.equal(snap.byPhase['rollout']?.calls, 2);
    assert.equal(snap.byPhase['rollout']?.inputTokens, usage[0]!.prompt_tokens + usage[1]!.prompt_tokens);
    assert.equal(snap.byPhase['judge']?.outputTokens, usage[2]!.completion_tokens);
    assert.ok(Math.abs((snap.byAgent['planner']?.costUsd ?? 0) - tokens(0) / 1000) < 1e-12);
    assert.equal(snap.byAgent['solver']?.calls, 1);
    assert.equal(Object.keys(snap.byAgent).length, 2);
    assert.equal(snap.total.calls, 3);
  });

  it('replays a recorded run with zero network calls, and fails clearly on a miss', async () => {
    const dir = tempDir('replay');
    const Answer = z.object({ answer: z.number() });
    server.setResponder((req) => (req.jsonSchema ? { json: req.jsonSchema.name === 'truce_probe' ? { ok: true } : { answer: 42 } } : `echo ${req.lastUser}`));
    try {
      const recording = makeHarness({ baseUrl: server.url, pricePer1kInput: 1 }, { cache: new DiskResponseCache(dir.path) });
      const first = await recording.client.chat({ messages: user('hello'), templateVersion: 'solver@3' }, { phase: 'rollout', agent: 'solver' });
      const structured = await callStructured(recording.client, { messages: user('compute'), schema: Answer, schemaName: 'answer' }, { phase: 'phi' });
      assert.ok(structured.ok);
      const recorded = server.chatRequests().length;
      assert.equal(recorded, 3, 'probe + two calls');
      assert.equal(readTree(dir.path).length, 3, 'one file per entry');

      // Same client in read-write mode: a repeat is a hit.
      const again = await recording.client.chat({ messages: user('hello'), templateVersion: 'solver@3' }, { phase: 'rollout', agent: 'solver' });
      assert.equal(again.cached, true);
      assert.equal(again.costUsd, 0);
      assert.equal(again.content, first.content);
      assert.equal(server.chatRequests().length, recorded);

      // Replay against the recorded address with the server gone, through a fetch that counts.
      await server.close();
      let fetches = 0;
      const countingFetch: typeof fetch = (input, init) => {
        fetches++;
        return fetch(input, init);
      };
      const replayed = makeHarness(
        { baseUrl: recording.client.baseUrl },
        { cache: new DiskResponseCache(dir.path), cacheMode: 'replay', fetch: countingFetch },
      );
      const a = await replayed.client.chat({ messages: user('hello'), templateVersion: 'solver@3' }, { phase: 'rollout', agent: 'solver' });
      const b = await callStructured(replayed.client, { messages: user('compute'), schema: Answer, schemaName: 'answer' }, { phase: 'phi' });
      assert.equal(a.content, first.content);
      assert.ok(b.ok && b.value.answer === 42);
      assert.equal(fetches, 0, 'zero requests on replay');
      const snap = replayed.services.accounting.snapshot();
      assert.equal(snap.total.calls, 0);
      assert.equal(snap.total.cachedCalls, 3);
      assert.equal(snap.total.costUsd, 0);

      await assert.rejects(
        replayed.client.chat({ messages: user('hello'), templateVersion: 'solver@4' }, { phase: 'rollout', agent: 'solver' }),
        (e: unknown) => e instanceof ReplayMissError && /phase rollout, agent solver/.test(e.message) && /run without replay/.test(e.message),
      );
      assert.equal(fetches, 0);
    } finally {
      dir.remove();
    }
  });

  it('keeps distinct samples of one prompt apart in the cache', async () => {
    const dir = tempDir('samples');
    let n = 0;
    server.setResponder(() => `reply ${++n}`);
    try {
      const { client } = makeHarness({ baseUrl: server.url, temperature: 0.7 }, { cache: new DiskResponseCache(dir.path) });
      const a = await client.chat({ messages: user('roll'), sample: 0 }, { phase: 'rollout' });
      const b = await client.chat({ messages: user('roll'), sample: 1 }, { phase: 'rollout' });
      assert.notEqual(a.content, b.content);
      assert.equal(server.chatRequests().length, 2);
    } finally {
      dir.remove();
    }
  });
});
