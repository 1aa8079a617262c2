/**
 * A command MAS behind the run's gateway, end to end through runMas: a program written with the
 * official `openai` SDK that reads nothing but OPENAI_BASE_URL / OPENAI_API_KEY, against the
 * loopback fake upstream. Spend per agent must match what the server counted, the real key must
 * never reach the program, every call is recorded whole and linked to its step, the budget stops
 * the run mid-task and a resume pays no call twice, replay re-runs with zero upstream calls, and
 * without the gateway the spans are the account — never both.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runMas, type RunMasOptions } from '../../../src/core/run';
import { loadRun, RUN_FILES } from '../../../src/core/store';
import { start, type FakeChatRequest, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';

const FIXTURE = resolve('test/fixtures/mas/openai-sdk-mas.js');
const NODE_MODULES = resolve('node_modules');
const CANARY = 'sk-canary-7d1e0f5a9b3c4d2e8f6a1b0c';
const TASKS = [
  { id: 't1', input: 'alpha', reference: 'ALPHA' },
  { id: 't2', input: 'beta', reference: 'BETA' },
  { id: 't3', input: 'gamma', reference: 'GAMMA' },
];
const PRICES = { pricePer1kInput: 1, pricePer1kOutput: 2 };

/** Planner: a plan. Solver: a draft first, the reference the second time it is asked the same thing. */
function responder() {
  const asked = new Map<string, number>();
  return (request: FakeChatRequest) => {
    const system = request.messages[0]?.content ?? '';
    const task = TASKS.find((t) => request.lastUser.includes(t.input));
    if (system.includes('Planner')) return { content: `plan for ${task?.input}` };
    const n = asked.get(request.lastUser) ?? 0;
    asked.set(request.lastUser, n + 1);
    return { content: n % 2 === 0 ? `draft ${task?.input}` : (task?.reference ?? '?') };
  };
}

interface Ws {
  dir: string;
  dumps: string;
  config(extra?: { mas?: Record<string, unknown>; budget?: Record<string, unknown> }): Record<string, unknown>;
  remove(): void;
}

function workspace(baseUrl: string): Ws {
  const dir = mkdtempSync(join(tmpdir(), 'truce-gw-run-'));
  const dumps = join(dir, 'env-dumps');
  mkdirSync(join(dir, 'prompts'), { recursive: true });
  mkdirSync(dumps);
  writeFileSync(join(dir, 'prompts/planner.md'), '# Planner\n\n- Break the question into steps.\n');
  writeFileSync(join(dir, 'prompts/solver.md'), '# Solver\n\n- Answer with the word in capitals.\n');
  writeFileSync(join(dir, 'tasks.jsonl'), `${TASKS.map((t) => JSON.stringify(t)).join('\n')}\n`);
  return {
    dir,
    dumps,
    config: (extra = {}) => ({
      agents: [
        { id: 'planner', prompt: 'prompts/planner.md' },
        { id: 'solver', prompt: 'prompts/solver.md' },
      ],
      mas: { kind: 'command', argv: [process.execPath, FIXTURE], env: { NODE_PATH: NODE_MODULES, ENV_DUMP: dumps }, passEnv: ['EXECUTOR_KEY'], timeoutMs: 20_000, ...extra.mas },
      tasks: { file: 'tasks.jsonl', split: { train: 1, val: 1, test: 1 } },
      evaluator: { type: 'exact' },
      llm: { executor: { baseUrl, model: 'fake-model', apiKeyEnv: 'EXECUTOR_KEY', ...PRICES } },
      concurrency: 2,
      ...(extra.budget ? { budget: extra.budget } : {}),
    }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function options(ws: Ws, extra: Partial<RunMasOptions> = {}, config = ws.config()): RunMasOptions {
  return { config, workspaceRoot: ws.dir, trusted: true, env: { EXECUTOR_KEY: CANARY, OPENAI_API_KEY: CANARY, PATH: process.env.PATH }, toolVersion: 'test', ...extra };
}

function gatewayCalls(runDir: string): Array<Record<string, any>> {
  return readFileSync(join(runDir, RUN_FILES.gatewayCalls), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, any>);
}

/** What the server counted, per agent (told apart by the system prompt it was sent). */
function servedByAgent(server: FakeOpenAiServer): Record<string, { calls: number; input: number; output: number }> {
  const out: Record<string, { calls: number; input: number; output: number }> = {};
  for (const r of server.chatRequests()) {
    const system = ((r.body as { messages: Array<{ content: string }> }).messages[0]?.content ?? '') as string;
    const agent = system.includes('Planner') ? 'planner' : 'solver';
    const row = (out[agent] ??= { calls: 0, input: 0, output: 0 });
    row.calls++;
    row.input += r.usage?.prompt_tokens ?? 0;
    row.output += r.usage?.completion_tokens ?? 0;
  }
  return out;
}

const cost = (input: number, output: number) => (input / 1000) * PRICES.pricePer1kInput + (output / 1000) * PRICES.pricePer1kOutput;

describe('a command MAS behind the run gateway (official openai SDK, fake upstream)', function () {
  this.timeout(60_000);
  let server: FakeOpenAiServer;
  let ws: Ws;
  beforeEach(async () => {
    server = await start({ apiKey: CANARY, responder: responder() });
    ws = workspace(server.url);
  });
  afterEach(async () => {
    await server.close();
    ws.remove();
  });

  it('shows exact calls, tokens and cost per agent, keeps the real key from the MAS, and records and links every call', async () => {
    const result = await runMas(options(ws));
    assert.equal(result.status, 'completed', result.summary.statusReason);
    assert.equal(result.summary.scores.all.meanScore, 1);

    // The server saw each call once, with the real key (the MAS only ever had its token).
    assert.equal(server.chatRequests().length, 9);
    assert.ok(server.chatRequests().every((r) => r.headers.authorization === `Bearer ${CANARY}`));
    const served = servedByAgent(server);
    const usage = result.summary.usage;
    for (const agent of ['planner', 'solver']) {
      const row = usage.byAgent[agent];
      assert.deepEqual([row?.calls, row?.inputTokens, row?.outputTokens], [served[agent]?.calls, served[agent]?.input, served[agent]?.output], agent);
      assert.ok(Math.abs((row?.costUsd ?? 0) - cost(served[agent]!.input, served[agent]!.output)) < 1e-12, `${agent} cost`);
    }
    assert.equal(usage.total.calls, 9);
    assert.ok(usage.total.costUsd > 0);

    // The program's environment: the gateway and a token; the canary nowhere, under any name.
    const dumps = readdirSync(ws.dumps).map((f) => readFileSync(join(ws.dumps, f), 'utf8'));
    assert.equal(dumps.length, 3);
    for (const text of dumps) {
      assert.doesNotMatch(text, new RegExp(CANARY));
      const env = JSON.parse(text) as Record<string, string>;
      assert.match(env.OPENAI_BASE_URL ?? '', /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      assert.equal(env.OPENAI_API_BASE, env.OPENAI_BASE_URL);
      assert.match(env.OPENAI_API_KEY ?? '', /^truce-gw-[0-9a-f]{48}$/);
      assert.equal(env.EXECUTOR_KEY, undefined, 'passEnv cannot hand the executor key over');
    }
    assert.equal(new Set(dumps.map((t) => (JSON.parse(t) as Record<string, string>).OPENAI_API_KEY)).size, 3, 'one token per execution');

    // Every call recorded whole, with task, agent, usage, latency and its replay key; linked to its step.
    const calls = gatewayCalls(result.dir);
    assert.equal(calls.length, 9);
    for (const c of calls) {
      assert.ok(['t1', 't2', 't3'].includes(c.taskId));
      assert.ok(['planner', 'solver'].includes(c.agent));
      assert.equal(c.served, 'upstream');
      assert.ok(c.usage.prompt > 0 && c.latencyMs >= 0 && typeof c.key === 'string');
      assert.ok(Array.isArray(c.request.messages) && c.response.choices[0].message.content);
    }
    assert.deepEqual(calls.filter((c) => c.taskId === 't1' && c.agent === 'solver').map((c) => c.ordinal).sort(), [0, 1]);
    const run = await loadRun(ws.dir, result.runId);
    assert.ok(run.calls.every((c) => c.source === 'gateway' && typeof c.callId === 'string'));
    for (const t of run.trajectories) {
      for (const step of t.steps) {
        const call = calls.find((c) => c.id === step.attrs.callId);
        assert.ok(call, `step ${step.id} of ${t.taskId} names its call`);
        assert.equal(call.taskId, t.taskId);
        assert.equal(call.agent, step.agentId);
        assert.equal(call.response.choices[0].message.content, step.output);
      }
    }
    assert.match(readFileSync(join(result.dir, RUN_FILES.calls), 'utf8') + readFileSync(join(result.dir, RUN_FILES.gatewayCalls), 'utf8'), /truce-gw|fake-model/);
    assert.doesNotMatch(readFileSync(join(result.dir, RUN_FILES.gatewayCalls), 'utf8'), new RegExp(CANARY));
  });

  it('replays a run with zero upstream calls, and sends and marks only the requests that differ', async () => {
    const first = await runMas(options(ws));
    assert.equal(first.status, 'completed');
    server.reset();
    const replayed = await runMas(options(ws, { replayRunId: first.runId }));
    assert.equal(replayed.status, 'completed', replayed.summary.statusReason);
    assert.equal(server.chatRequests().length, 0, 'no upstream call');
    assert.equal(replayed.summary.invocation?.usage.cachedCalls, 9);
    assert.equal(replayed.summary.invocation?.usage.calls, 0);
    assert.equal(replayed.summary.scores.all.meanScore, 1, 'the second solver answer came back second: ordinals kept');

    // A changed planner prompt: its requests differ and go upstream, marked; the solver's still replay.
    writeFileSync(join(ws.dir, 'prompts/planner.md'), '# Planner\n\n- List the facts first.\n');
    server.reset();
    const changed = await runMas(options(ws, { replayRunId: first.runId }));
    assert.equal(changed.status, 'completed');
    assert.equal(server.chatRequests().length, 3);
    const calls = gatewayCalls(changed.dir);
    assert.deepEqual(calls.filter((c) => c.replayMiss).map((c) => c.agent), ['planner', 'planner', 'planner']);
    assert.equal(calls.filter((c) => c.served === 'recording').length, 6);
  });

  it('refuses --replay of a run that does not exist or recorded no gateway calls, before anything runs', async () => {
    await assert.rejects(runMas(options(ws, { replayRunId: '20990101-000000-abcd' })), /Cannot replay run 20990101-000000-abcd/);
    const direct = ws.config({ mas: { gateway: false } });
    const plain = await runMas(options(ws, {}, { ...direct, mas: { ...(direct.mas as object), env: { NODE_PATH: NODE_MODULES, OPENAI_BASE_URL: server.url }, passEnv: ['OPENAI_API_KEY'] } }));
    server.reset();
    await assert.rejects(runMas(options(ws, { replayRunId: plain.runId })), /has no gateway recordings/);
    assert.equal(server.chatRequests().length, 0);
  });

  it('stops at budget.maxCalls mid-task with a clear message, and the resume pays no call twice', async () => {
    const config = ws.config({ budget: { maxCalls: 4 } });
    const stopped = await runMas(options(ws, { concurrency: 1 }, config));
    assert.equal(stopped.status, 'stopped-budget');
    assert.match(stopped.summary.statusReason ?? '', /budget.*maxCalls/);
    assert.equal(server.chatRequests().length, 4, 'the fifth call was refused before it was sent');
    const refused = gatewayCalls(stopped.dir).filter((c) => c.served === 'refused');
    assert.equal(refused.length, 1);
    assert.equal(refused[0]!.status, 402);
    const run = await loadRun(ws.dir, stopped.runId);
    assert.equal(run.trajectories.length, 1, 'the interrupted task is left for the resume');

    server.reset();
    const resumed = await runMas(options(ws, { resumeRunId: stopped.runId }, ws.config({ budget: { maxCalls: 100 } })));
    assert.equal(resumed.status, 'completed', resumed.summary.statusReason);
    // Task 2 had made one call before the stop: the resume answers it from the recording.
    assert.equal(server.chatRequests().length, 9 - 4);
    assert.equal(resumed.summary.invocation?.usage.cachedCalls, 1);
    assert.equal(resumed.summary.usage.total.calls, 9, 'every upstream call counted once over both invocations');
  });

  it('without the gateway, counts the spans per agent; with it, only the gateway — never both', async () => {
    // The MAS talks to the endpoint itself (its own URL and key) and exports a span per call.
    const direct = ws.config({ mas: { env: { NODE_PATH: NODE_MODULES, ENV_DUMP: ws.dumps, OPENAI_BASE_URL: server.url }, passEnv: ['OPENAI_API_KEY'], otlp: true } });
    const viaSpans = await runMas(options(ws, {}, direct));
    assert.equal(viaSpans.status, 'completed', viaSpans.summary.statusReason);
    const served = servedByAgent(server);
    const usage = viaSpans.summary.usage;
    for (const agent of ['planner', 'solver']) {
      const row = usage.byAgent[agent];
      assert.deepEqual([row?.calls, row?.inputTokens, row?.outputTokens], [served[agent]?.calls, served[agent]?.input, served[agent]?.output], agent);
      assert.ok(Math.abs((row?.costUsd ?? 0) - cost(served[agent]!.input, served[agent]!.output)) < 1e-12);
    }
    const run = await loadRun(ws.dir, viaSpans.runId);
    assert.ok(run.calls.every((c) => c.source === 'spans'));

    server.reset();
    const both = await runMas(options(ws, {}, ws.config({ mas: { otlp: true } })));
    assert.equal(both.status, 'completed');
    assert.equal(server.chatRequests().length, 9);
    assert.equal(both.summary.usage.total.calls, 9, 'spans of calls the gateway carried are not counted again');
    const again = await loadRun(ws.dir, both.runId);
    assert.ok(again.calls.every((c) => c.source === 'gateway'));
  });
});
