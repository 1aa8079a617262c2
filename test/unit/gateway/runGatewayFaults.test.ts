/**
 * The run's gateway under faults, driven by the official `openai` SDK: an upstream 429 and 500
 * (the SDK retrying on its own), a stream the upstream drops, a client that leaves mid-call and
 * mid-stream. Every call that happened is recorded exactly once, the accounting and the budget
 * charge each call once, no reservation is left behind, and replay serves a stream from a record.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { Accounting, Budget, createLlmServices, LlmClient, type LlmCallRecord } from '../../../src/core/llm';
import type { PromptSet } from '../../../src/core/mas/types';
import { readRecordings, RunGateway, type RunGatewayOptions } from '../../../src/core/run/runGateway';
import { RUN_FILES } from '../../../src/core/store';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { STREAM_USAGE, streamingUpstream, type StreamingUpstream } from '../../support/streamingUpstream';

const PROMPTS: PromptSet = {
  hash: 'h',
  agents: { solver: { agent: { id: 'solver', kind: 'role', prompt: 'solver.md' }, systemPrompt: 'You are the solver.', file: 'solver.md', fileText: '' } },
};

interface Harness {
  gateway: RunGateway;
  budget: Budget;
  accounting: Accounting;
  records: Array<LlmCallRecord & { callId: string }>;
  dir: string;
  client(taskId: string, retries?: number): { sdk: OpenAI; finish: () => Promise<unknown> };
  lines(): Array<Record<string, any>>;
}

async function harness(baseUrl: string, extra: Partial<RunGatewayOptions> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'truce-gw-faults-'));
  const budget = new Budget({ maxCalls: 100 });
  const accounting = new Accounting();
  const records: Array<LlmCallRecord & { callId: string }> = [];
  const executor = new LlmClient('executor', { baseUrl, model: 'm', pricePer1kInput: 1, pricePer1kOutput: 1 }, createLlmServices({ env: {} }));
  const gateway = await RunGateway.start({
    executor,
    prices: { pricePer1kInput: 1, pricePer1kOutput: 1 },
    budget,
    runDir: dir,
    recordings: new Map(),
    replaying: false,
    strict: false,
    secrets: [],
    onRecord: (record) => {
      records.push(record);
      accounting.record(record);
    },
    ...extra,
  });
  return {
    gateway,
    budget,
    accounting,
    records,
    dir,
    client(taskId, retries = 0) {
      const session = gateway.open({ taskId, prompts: PROMPTS });
      return { sdk: new OpenAI({ baseURL: session.env.OPENAI_BASE_URL, apiKey: session.env.OPENAI_API_KEY, maxRetries: retries }), finish: session.finish };
    },
    lines: () =>
      readFileSync(join(dir, RUN_FILES.gatewayCalls), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Record<string, any>),
  };
}

const ask = { model: 'm', messages: [{ role: 'system' as const, content: 'You are the solver.' }, { role: 'user' as const, content: 'go' }] };

describe('the run gateway under faults', function () {
  this.timeout(20_000);
  let h: Harness | undefined;
  let fake: FakeOpenAiServer | undefined;
  let upstream: StreamingUpstream | undefined;
  afterEach(async () => {
    await h?.gateway.close();
    if (h) rmSync(h.dir, { recursive: true, force: true });
    await fake?.close();
    await upstream?.close();
    h = undefined;
    fake = undefined;
    upstream = undefined;
  });

  it('an upstream 429 then 500, retried by the SDK: three calls recorded once each, tokens charged once', async () => {
    fake = await start({ faults: { script: ['rate-limit', 'server-error'] } });
    h = await harness(fake.url);
    const { sdk, finish } = h.client('t1', 2);
    const reply = await sdk.chat.completions.create(ask);
    assert.ok(reply.choices[0]?.message.content);
    await finish();
    await h.gateway.flush();
    assert.equal(fake.chatRequests().length, 3);
    assert.deepEqual(h.records.map((r) => r.error?.kind ?? 'ok'), ['rate-limited', 'server', 'ok']);
    assert.equal(h.lines().length, 3);
    assert.ok(h.records.every((r) => r.agent === 'solver'), 'agent found by its system prompt');
    const total = h.accounting.snapshot().total;
    const served = fake.chatRequests().reduce((n, r) => n + (r.usage?.prompt_tokens ?? 0), 0);
    assert.deepEqual([total.calls, total.failedCalls, total.inputTokens], [3, 2, served]);
    const b = h.budget.snapshot();
    assert.deepEqual([b.spent.calls, b.reserved.calls, b.spent.tokens], [3, 0, total.inputTokens + total.outputTokens]);
  });

  it('a stream the upstream drops: the client sees an error, one record with an estimate, one charge', async () => {
    upstream = await streamingUpstream({ cut: true });
    h = await harness(upstream.url);
    const { sdk, finish } = h.client('t1');
    await assert.rejects(async () => {
      for await (const _ of await sdk.chat.completions.create({ ...ask, stream: true })) void _;
    });
    await finish();
    await h.gateway.flush();
    assert.equal(h.records.length, 1);
    const [line] = h.lines();
    assert.match(line?.error ?? '', /stream (ended before \[DONE\]|broke)/);
    assert.equal(line?.usageEstimated, true);
    assert.equal(line?.response.choices[0].message.content, 'Hello', 'what arrived is kept');
    const b = h.budget.snapshot();
    assert.deepEqual([b.spent.calls, b.reserved.calls, b.reserved.tokens], [1, 0, 0]);
    assert.ok(b.spent.tokens > 0, 'a cut-off stream is billed: charged at its estimate');
  });

  it('a client that leaves mid-stream and one that leaves before the reply: each call recorded once, nothing left reserved', async () => {
    upstream = await streamingUpstream({ pauseMs: 400 });
    h = await harness(upstream.url);
    const { sdk, finish } = h.client('t1');
    const controller = new AbortController();
    let chunks = 0;
    try {
      // The SDK ends an aborted stream quietly or with an abort error, depending on where it was.
      for await (const _ of await sdk.chat.completions.create({ ...ask, stream: true }, { signal: controller.signal })) {
        chunks++;
        controller.abort();
      }
    } catch (error) {
      assert.match((error as Error).name, /Abort/);
    }
    assert.equal(chunks, 1, 'the client left after the first chunk');
    await finish();
    await h.gateway.flush();
    assert.equal(h.records.length, 1);
    assert.equal(h.lines()[0]?.error, 'the client disconnected');
    await h.gateway.close();
    rmSync(h.dir, { recursive: true, force: true });

    fake = await start({ baseLatencyMs: 2_000 });
    h = await harness(fake.url);
    const second = h.client('t2');
    const early = new AbortController();
    // The client leaves once the gateway has forwarded the call and before the reply (the fake answers
    // later: 2 s). A fixed 100 ms could pass before the request even reached the gateway on a loaded
    // machine, and then there was no call to record.
    const upstreamSaw = fake;
    const leave = setInterval(() => {
      if (upstreamSaw.chatRequests().length > 0) early.abort();
    }, 5);
    try {
      await assert.rejects(second.sdk.chat.completions.create(ask, { signal: early.signal }));
    } finally {
      clearInterval(leave);
    }
    await second.finish();
    await h.gateway.flush();
    assert.equal(h.records.length, 1);
    assert.equal(h.lines()[0]?.error, 'the client disconnected');
    assert.equal(h.records[0]?.error?.kind, 'aborted', 'a client leaving does not stop the run');
    const b = h.budget.snapshot();
    assert.deepEqual([b.spent.calls, b.reserved.calls], [1, 0]);
  });

  it('replays a recorded stream as a stream: same text, same tool call, usage, and no upstream call', async () => {
    upstream = await streamingUpstream();
    h = await harness(upstream.url);
    const first = h.client('t1');
    for await (const _ of await first.sdk.chat.completions.create({ ...ask, stream: true })) void _;
    await first.finish();
    await h.gateway.close();
    const recordings = await readRecordings(h.dir);
    assert.equal(recordings.size, 1);
    const dir = h.dir;
    h = await harness(upstream.url, { recordings, replaying: true });
    rmSync(dir, { recursive: true, force: true });
    const replay = h.client('t1');
    let text = '';
    let args = '';
    let usage: unknown;
    for await (const chunk of await replay.sdk.chat.completions.create({ ...ask, stream: true, stream_options: { include_usage: true } })) {
      text += chunk.choices[0]?.delta.content ?? '';
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      usage ??= chunk.usage ?? undefined;
    }
    await replay.finish();
    assert.deepEqual([text, args], ['Hello', '{"q":"x"}']);
    assert.deepEqual(usage, STREAM_USAGE);
    assert.equal(upstream.seen.length, 1, 'only the recording run reached the upstream');
    assert.deepEqual(h.records.map((r) => [r.cached, r.attempts, r.costUsd]), [[true, 0, 0]]);
  });
});
