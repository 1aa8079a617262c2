import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import type { RetryNotice } from '../../../src/core/llm/callLog';
import { createLlmClients } from '../../../src/core/llm/createClients';
import { LlmError } from '../../../src/core/llm/errors';
import { createLlmServices } from '../../../src/core/llm/services';
import { start, fakePromptTokens, fakeCompletionTokens, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { makeHarness, TestClock, user } from './helpers';

const isKind = (kind: string) => (e: unknown) => e instanceof LlmError && e.kind === kind;

describe('llm/client against the fake server', () => {
  let server: FakeOpenAiServer;

  beforeEach(async () => {
    server = await start();
  });
  afterEach(async () => {
    await server.close();
  });

  it('sends the configured parameters and reports the server usage and cost', async () => {
    const { client, records } = makeHarness({
      baseUrl: server.url,
      temperature: 0.3,
      maxTokens: 50,
      seed: 11,
      pricePer1kInput: 1,
      pricePer1kOutput: 2,
    });
    const result = await client.chat({ messages: user('Name a colour.') }, { phase: 'rollout', agent: 'solver' });
    assert.equal(result.content, 'ok: Name a colour.');
    const body = server.chatRequests()[0]?.body as Record<string, unknown>;
    assert.equal(body['temperature'], 0.3);
    assert.equal(body['max_tokens'], 50);
    assert.equal(body['seed'], 11);
    assert.equal(body['stream'], false);
    const expectedIn = fakePromptTokens([{ content: 'Name a colour.' }]);
    const expectedOut = fakeCompletionTokens('ok: Name a colour.');
    assert.deepEqual(result.usage, { inputTokens: expectedIn, outputTokens: expectedOut, estimated: false });
    assert.ok(Math.abs(result.costUsd - (expectedIn * 1 + expectedOut * 2) / 1000) < 1e-12);
    assert.equal(records.length, 1);
    assert.equal(records[0]?.agent, 'solver');
    assert.equal(records[0]?.requestHash, result.requestHash);
  });

  it('carries the key in the Authorization header and sends a dummy to keyless local servers', async () => {
    await server.close();
    server = await start({ apiKey: 'sk-test-key-0123456789' });
    const withKey = makeHarness({ baseUrl: server.url, apiKeyEnv: 'FAKE_KEY' }, { env: { FAKE_KEY: 'sk-test-key-0123456789' } });
    await withKey.client.chat({ messages: user('hi') }, { phase: 'rollout' });
    assert.equal(server.chatRequests()[0]?.headers['authorization'], 'Bearer sk-test-key-0123456789');

    const keyless = makeHarness({ baseUrl: server.url });
    await assert.rejects(keyless.client.chat({ messages: user('hi') }, { phase: 'rollout' }), (e: unknown) => {
      assert.ok(e instanceof LlmError && e.kind === 'auth');
      assert.match(e.message, /apiKeyEnv/);
      return true;
    });
  });

  it('waits a Retry-After of 120 s in full (not capped at 60 s) and then succeeds', async () => {
    server.setFaults({ script: [{ kind: 'rate-limit', retryAfterSeconds: 120 }] });
    const notices: RetryNotice[] = [];
    const { client, clock, records } = makeHarness({ baseUrl: server.url }, { onRetry: (n) => notices.push(n) });
    const start = clock.now();
    const result = await client.chat({ messages: user('hi') }, { phase: 'rollout' });
    assert.deepEqual(clock.sleeps, [120_000]);
    assert.equal(clock.now() - start, 120_000);
    assert.equal(result.attempts, 2);
    assert.equal(records[0]?.attempts, 2);
    assert.equal(server.chatRequests().length, 2);
    assert.deepEqual(
      notices.map((n) => [n.attempt, n.delayMs, n.reason, n.error.kind, n.error.status]),
      [[1, 120_000, 'retry-after', 'rate-limited', 429]],
    );
  });

  it('honours retry-after-ms and HTTP-date Retry-After headers', async () => {
    const clock = new TestClock();
    server.setFaults({
      script: [
        { kind: 'rate-limit', retryAfterMs: 2500 },
        { kind: 'rate-limit', retryAfterDate: new Date(clock.now() + 90_000) },
      ],
    });
    const { client } = makeHarness({ baseUrl: server.url }, { clock });
    await client.chat({ messages: user('hi') }, { phase: 'rollout' });
    assert.equal(clock.sleeps[0], 2500);
    // The date was 90 s after the first request; 2.5 s of that have passed by the second.
    assert.ok(clock.sleeps[1] !== undefined && clock.sleeps[1] >= 87_000 && clock.sleeps[1] <= 90_000, String(clock.sleeps[1]));
  });

  it('gives up at once when the server asks for a wait beyond the cap', async () => {
    server.setFaults({ script: [{ kind: 'rate-limit', retryAfterSeconds: 3600 }] });
    const { client, clock } = makeHarness({ baseUrl: server.url }, { retry: { maxRetryAfterMs: 600_000 } });
    await assert.rejects(client.chat({ messages: user('hi') }, { phase: 'rollout' }), (e: unknown) => {
      assert.ok(e instanceof LlmError && e.kind === 'rate-limited');
      assert.match(e.message, /3600 s/);
      return true;
    });
    assert.deepEqual(clock.sleeps, []);
    assert.equal(server.chatRequests().length, 1);
  });

  it('backs off with bounded attempts on 5xx and reports how many were made', async () => {
    server.setFaults({ probability: 1, kinds: ['server-error', 'unavailable'] });
    const { client, clock, records } = makeHarness({ baseUrl: server.url }, { retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 } });
    await assert.rejects(client.chat({ messages: user('hi') }, { phase: 'rollout' }), (e: unknown) => {
      assert.ok(e instanceof LlmError && e.kind === 'server' && e.attempts === 4);
      assert.match(e.message, /Gave up after 4 attempts/);
      return true;
    });
    assert.equal(server.chatRequests().length, 4);
    assert.equal(clock.sleeps.length, 3);
    clock.sleeps.forEach((ms, i) => assert.ok(ms >= 0 && ms < Math.min(1000, 100 * 2 ** i), `sleep ${i} = ${ms}`));
    assert.equal(records[0]?.attempts, 4);
    assert.equal(records[0]?.error?.kind, 'server');
  });

  it('retries a connection reset', async () => {
    server.setFaults({ script: ['reset'] });
    const { client } = makeHarness({ baseUrl: server.url });
    const result = await client.chat({ messages: user('hi') }, { phase: 'rollout' });
    assert.equal(result.attempts, 2);
  });

  it('times out a hanging request, retries it, and says which endpoint was slow', async () => {
    server.setFaults({ script: ['hang', 'hang'] });
    const { client } = makeHarness({ baseUrl: server.url, timeoutMs: 150 }, { retry: { maxAttempts: 2 } });
    await assert.rejects(client.chat({ messages: user('hi') }, { phase: 'rollout' }), (e: unknown) => {
      assert.ok(e instanceof LlmError && e.kind === 'timeout' && e.attempts === 2);
      assert.ok(e.message.includes(server.url));
      return true;
    });
  });

  it('stops waiting in backoff as soon as the call is cancelled', async () => {
    server.setFaults({ script: [{ kind: 'rate-limit', retryAfterSeconds: 30 }] });
    const clock = new TestClock(undefined, false);
    const { client, records } = makeHarness({ baseUrl: server.url }, { clock });
    const controller = new AbortController();
    const call = client.chat({ messages: user('hi') }, { phase: 'rollout', signal: controller.signal });
    await clock.whenSleeping();
    controller.abort(new Error('user pressed cancel'));
    await assert.rejects(call, (e: unknown) => {
      assert.ok(e instanceof LlmError && e.kind === 'aborted');
      assert.match(e.message, /user pressed cancel/);
      return true;
    });
    assert.equal(clock.pendingSleeps, 0);
    assert.equal(server.chatRequests().length, 1);
    assert.equal(records[0]?.error?.kind, 'aborted');
  });

  it('cancels a request in flight', async () => {
    server.setFaults({ script: ['hang'] });
    const { client } = makeHarness({ baseUrl: server.url });
    const controller = new AbortController();
    const call = client.chat({ messages: user('hi') }, { phase: 'rollout', signal: controller.signal });
    while (server.chatRequests().length === 0) await new Promise((r) => setImmediate(r));
    controller.abort();
    await assert.rejects(call, isKind('aborted'));
  });

  it('bounds the requests in flight by maxConcurrency', async () => {
    await server.close();
    server = await start({ baseLatencyMs: 100 });
    const { client } = makeHarness({ baseUrl: server.url, maxConcurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, (_, i) => client.chat({ messages: user(`q${i}`) }, { phase: 'rollout' })));
    assert.equal(server.chatRequests().length, 12);
    assert.ok(server.stats.maxInFlight <= 3, `max in flight ${server.stats.maxInFlight}`);
    assert.equal(server.stats.maxInFlight, 3);
  });

  it('shares one concurrency limit between roles on the same server and model (the stricter one)', async () => {
    await server.close();
    server = await start({ baseLatencyMs: 100 });
    const services = createLlmServices({ env: {}, clock: new TestClock() });
    const clients = createLlmClients(
      {
        executor: { baseUrl: server.url, model: 'fake-model', maxConcurrency: 4 },
        judge: { baseUrl: `${server.url}/`, model: 'fake-model', maxConcurrency: 2 },
      },
      services,
    );
    assert.equal(clients.optimizer, undefined);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? clients.executor! : clients.judge!).chat({ messages: user(`q${i}`) }, { phase: i % 2 ? 'rollout' : 'judge' })),
    );
    assert.equal(server.stats.maxInFlight, 2);
    assert.equal(services.accounting.snapshot().byRole.judge?.calls, 4);
  });

  it('explains a dead endpoint in words a user can act on, without retrying', async () => {
    const port = await freePort();
    const { client } = makeHarness({ baseUrl: `http://127.0.0.1:${port}/v1` });
    await assert.rejects(client.chat({ messages: user('hi') }, { phase: 'rollout' }), (e: unknown) => {
      assert.ok(e instanceof LlmError && e.kind === 'unreachable' && e.attempts === 1);
      assert.match(e.message, new RegExp(`No OpenAI-compatible endpoint answers at http://127\\.0\\.0\\.1:${port}/v1`));
      assert.match(e.message, /ollama serve/);
      assert.match(e.message, /OPENAI_BASE_URL/);
      return true;
    });
  });

  it('names the missing model on 404 and the key variable on 401', async () => {
    await server.close();
    server = await start({ models: ['llama3'], apiKey: 'sk-right-key-000000' });
    const wrongModel = makeHarness({ baseUrl: server.url, model: 'lama3', apiKeyEnv: 'K' }, { env: { K: 'sk-right-key-000000' } });
    await assert.rejects(wrongModel.client.chat({ messages: user('hi') }, { phase: 'rollout' }), (e: unknown) => {
      assert.ok(e instanceof LlmError && e.kind === 'model-not-found' && e.status === 404);
      assert.match(e.message, /Model "lama3" was not found/);
      return true;
    });
    const wrongKey = makeHarness({ baseUrl: server.url, model: 'llama3', apiKeyEnv: 'K' }, { env: { K: 'sk-wrong-key-111111' } });
    await assert.rejects(wrongKey.client.chat({ messages: user('hi') }, { phase: 'rollout' }), (e: unknown) => {
      assert.ok(e instanceof LlmError && e.kind === 'auth' && e.status === 401);
      assert.match(e.message, /environment variable K/);
      assert.ok(!e.message.includes('sk-wrong-key-111111'), e.message);
      return true;
    });
  });

  it('returns log-probabilities when asked', async () => {
    const { client } = makeHarness({ baseUrl: server.url });
    const result = await client.chat({ messages: user('hi'), logprobs: { top: 2 } }, { phase: 'judge' });
    assert.ok(result.logprobs && result.logprobs.length > 0);
    assert.equal(result.logprobs[0]?.top?.length, 2);
    assert.equal((server.chatRequests()[0]?.body as Record<string, unknown>)['top_logprobs'], 2);
  });

  it('estimates usage when the server reports none, and says so', async () => {
    server.setResponder(() => ({ content: 'abcdefgh', usage: null }));
    const { client } = makeHarness({ baseUrl: server.url });
    const result = await client.chat({ messages: user('1234') }, { phase: 'rollout' });
    assert.deepEqual(result.usage, { inputTokens: 5, outputTokens: 2, estimated: true });
  });

  it('talks to Azure deployments with the api-key header and api-version', async () => {
    const { client } = makeHarness(
      { baseUrl: `${server.origin}/openai`, model: 'my-deployment', azureApiVersion: '2024-10-21', apiKeyEnv: 'AZ' },
      { env: { AZ: 'azure-key-abcdef123456' } },
    );
    const result = await client.chat({ messages: user('hi'), maxTokens: 20 }, { phase: 'rollout' });
    assert.equal(result.content, 'ok: hi');
    const req = server.chatRequests()[0];
    assert.equal(req?.path, '/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21');
    assert.equal(req?.headers['api-key'], 'azure-key-abcdef123456');
    assert.equal((req?.body as Record<string, unknown>)['max_completion_tokens'], 20);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
