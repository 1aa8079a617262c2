import { strict as assert } from 'node:assert';
import { MasSetupError } from '../../../src/core/mas/errors';
import { RoundsMas, type RoundsMasConfig } from '../../../src/core/mas/roundsMas';
import { ROUNDS_TEMPLATE_VERSION } from '../../../src/core/mas/roundsMessages';
import type { MasTask, PromptSet } from '../../../src/core/mas/types';
import type { Step } from '../../../src/core/trajectory/schema';
import { start, fakeCompletionTokens, fakePromptTokens, type FakeChatRequest, type FakeOpenAiServer, type FakeReply } from '../../support/fakeOpenAiServer';
import { makeHarness } from '../llm/helpers';
import { expectFailure, expectResult, promptSetFrom } from './helpers';

const AGENTS = [
  { id: 'alpha', kind: 'role' as const, prompt: 'prompts/alpha.md' },
  { id: 'beta', kind: 'role' as const, prompt: 'prompts/beta.md' },
  { id: 'agg', kind: 'aggregator' as const, prompt: 'team.yaml', section: 'agg' },
  { id: 'agg2', kind: 'aggregator' as const, prompt: 'team.yaml', section: 'agg2' },
  { id: 'judge', kind: 'judge' as const, prompt: 'judge.prompty' },
];

const FILES: Record<string, string> = {
  'prompts/alpha.md': '# Alpha\n\nYou are ROLE:alpha working on {{question}}.\n\n- Think first.\n',
  'prompts/beta.md': '---\ntruce-agent: beta\n---\n# Beta\n\nYou are ROLE:beta.\n\n<!-- truce:lock -->\n- Check alpha.\n',
  'team.yaml': 'agg:\n  role: ROLE:agg\n  rules:\n    - Summarise round {round} of {rounds}.\nagg2:\n  role: ROLE:agg2\n  rules:\n    - Summarise round {round} briefly.\n',
  'judge.prompty': '---\nname: judge\n---\nsystem:\nYou are ROLE:judge.\n\n- Decide from the state.\n\nuser:\n{{state}}\n',
};

const TASK: MasTask = { id: 't1', input: 'What is 6 x 7?', reference: '42', topic: 'arithmetic' };

function roleOf(req: FakeChatRequest): string {
  const system = req.messages.find((m) => m.role === 'system')?.content ?? '';
  return /ROLE:(\w+)/.exec(system)?.[1] ?? 'unknown';
}

function roundOf(req: FakeChatRequest): number {
  return Number(/round (\d+) of/.exec(req.lastUser)?.[1] ?? 0);
}

/** Roles answer per a table (agent → answers by round); aggregators echo what they saw; the judge names the state it read. */
function responder(answers: Record<string, string[]>): (req: FakeChatRequest) => FakeReply {
  return (req) => {
    const role = roleOf(req);
    const t = roundOf(req);
    if (role === 'alpha' || role === 'beta') return `${role} thinks in round ${t}\nAnswer: ${answers[role][t - 1]}`;
    if (role === 'agg' || role === 'agg2') return `S${t} by ${role}`;
    if (role === 'judge') return `Final answer from [${/## Shared state after round \d+\n\n(.*)/.exec(req.lastUser)?.[1]}]`;
    return 'unexpected';
  };
}

function rounds(partial: Partial<RoundsMasConfig> = {}): RoundsMasConfig {
  return { kind: 'rounds', roles: ['alpha', 'beta'], rounds: 3, aggregator: 'agg', decision: 'judge', earlyStop: 'none', ...partial };
}

describe('mas/RoundsMas against the fake OpenAI server', () => {
  let server: FakeOpenAiServer;
  let prompts: PromptSet;

  before(async () => {
    prompts = await promptSetFrom({ agents: AGENTS }, FILES);
  });
  beforeEach(async () => {
    server = await start();
  });
  afterEach(async () => {
    await server.close();
  });

  it('runs roles × rounds with an aggregator per round and a final decision, recording reads, usage and states', async () => {
    server.setResponder(responder({ alpha: ['40', '41', '42'], beta: ['42', '42', '42'] }));
    const { client } = makeHarness({ baseUrl: server.url });
    const streamed: Step[] = [];
    const mas = new RoundsMas({ mas: rounds(), agents: AGENTS, now: () => 1000 });
    const result = expectResult(await mas.run({ runId: 'run-1', task: TASK, prompts, executor: client, sample: 2, onStep: (s) => streamed.push(s) }));
    const t = result.trajectory;

    assert.deepEqual(
      t.steps.map((s) => [s.id, s.seq, s.round, s.agentId, s.kind]),
      [
        ['r1.alpha', 0, 1, 'alpha', 'llm'],
        ['r1.beta', 1, 1, 'beta', 'llm'],
        ['r1.agg', 2, 1, 'agg', 'aggregate'],
        ['r2.alpha', 3, 2, 'alpha', 'llm'],
        ['r2.beta', 4, 2, 'beta', 'llm'],
        ['r2.agg', 5, 2, 'agg', 'aggregate'],
        ['r3.alpha', 6, 3, 'alpha', 'llm'],
        ['r3.beta', 7, 3, 'beta', 'llm'],
        ['r3.agg', 8, 3, 'agg', 'aggregate'],
        ['final', 9, 3, 'judge', 'llm'],
      ],
    );
    const reads = Object.fromEntries(t.steps.map((s) => [s.id, s.reads]));
    assert.deepEqual(reads['r1.alpha'], []);
    assert.deepEqual(reads['r1.agg'], ['r1.alpha', 'r1.beta']);
    assert.deepEqual(reads['r2.beta'], ['r1.agg']);
    assert.deepEqual(reads['r2.agg'], ['r2.alpha', 'r2.beta', 'r1.agg']);
    assert.deepEqual(reads['final'], ['r3.agg']);
    assert.deepEqual(t.rounds, [
      { index: 1, aggregator: 'agg', state: 'S1 by agg' },
      { index: 2, aggregator: 'agg', state: 'S2 by agg' },
      { index: 3, aggregator: 'agg', state: 'S3 by agg' },
    ]);
    assert.equal(result.answer, 'Final answer from [S3 by agg]');
    assert.deepEqual(t.agents.map((a) => [a.id, a.kind]), [['alpha', 'role'], ['beta', 'role'], ['agg', 'aggregator'], ['judge', 'judge']]);
    assert.equal(t.taskId, 't1');
    assert.equal(t.runId, 'run-1');
    assert.deepEqual(t.task, { input: 'What is 6 x 7?', reference: '42' });

    // Usage comes from the server's reply, per step and in total.
    const first = t.steps[0];
    const sent = first.input as { role: string; content: string }[];
    assert.deepEqual(first.usage, { in: fakePromptTokens(sent), out: fakeCompletionTokens(first.output) });
    assert.deepEqual(t.usage, { in: t.steps.reduce((n, s) => n + s.usage.in, 0), out: t.steps.reduce((n, s) => n + s.usage.out, 0) });
    assert.equal(first.t_start, 1000);

    // What each call was given.
    assert.equal(sent[0].content, '# Alpha\n\nYou are ROLE:alpha working on What is 6 x 7?.\n\n- Think first.');
    assert.match(sent[1].content, /## Task\n\nWhat is 6 x 7\?/);
    assert.match(sent[1].content, /None yet: this is the first round/);
    const r2beta = t.steps.find((s) => s.id === 'r2.beta')?.input as { content: string }[];
    assert.match(r2beta[1].content, /## Shared state after round 1\n\nS1 by agg/);
    assert.ok(!r2beta[0].content.includes('truce:lock') && !r2beta[0].content.includes('truce-agent'));
    const r2agg = t.steps.find((s) => s.id === 'r2.agg')?.input as { content: string }[];
    assert.match(r2agg[0].content, /Summarise round 2 of 3\./);
    assert.match(r2agg[1].content, /### alpha\nalpha thinks in round 2\nAnswer: 41\n\n### beta\nbeta thinks in round 2/);

    // Every call went to the executor's model; the streamed steps are the recorded ones.
    for (const r of server.chatRequests()) assert.equal((r.body as { model: string }).model, 'fake-model');
    assert.equal(streamed.length, 10);
    assert.deepEqual(new Set(streamed.map((s) => s.id)), new Set(t.steps.map((s) => s.id)));
    assert.equal(t.steps[0].attrs.cached, false);
    assert.equal(t.attrs?.promptSetHash, prompts.hash);
  });

  it('keeps repeated executions apart in the cache key (sample) and never shows agents the reference', async () => {
    server.setResponder(responder({ alpha: ['1', '1', '1'], beta: ['2', '2', '2'] }));
    const { client } = makeHarness({ baseUrl: server.url });
    const curious = await promptSetFrom({ agents: AGENTS }, { ...FILES, 'prompts/alpha.md': 'You are ROLE:alpha on {topic}; never peek at {reference} or {{ reference }}.\n' });
    const mas = new RoundsMas({ mas: rounds({ rounds: 1 }), agents: AGENTS });
    const a = expectResult(await mas.run({ runId: 'r', task: TASK, prompts: curious, executor: client, sample: 0 }));
    const b = expectResult(await mas.run({ runId: 'r', task: TASK, prompts: curious, executor: client, sample: 1 }));
    const again = expectResult(await mas.run({ runId: 'r', task: TASK, prompts: curious, executor: client, sample: 1 }));
    const hashes = (t: typeof a) => t.trajectory.steps.map((s) => s.attrs.requestHash);
    assert.notDeepEqual(hashes(a), hashes(b));
    assert.deepEqual(hashes(b), hashes(again), 'the same sample is the same request');
    assert.equal(server.chatRequests().length, 12);
    const alphaSystem = (a.trajectory.steps[0].input as { content: string }[])[0].content;
    assert.equal(alphaSystem, 'You are ROLE:alpha on arithmetic; never peek at {reference} or {{ reference }}.');
    for (const r of server.chatRequests()) {
      assert.equal(r.body && (r.body as { model?: string }).model, 'fake-model');
      assert.ok(!JSON.stringify(r.body).includes('42'), 'the reference never reaches an agent');
    }
    assert.ok(ROUNDS_TEMPLATE_VERSION.startsWith('rounds-mas/'));
  });

  it('stops early when every role gives the same answer, after the round’s aggregator wrote its state', async () => {
    server.setResponder(responder({ alpha: ['7', '**42**.', '42'], beta: ['8', '42', '42'] }));
    const { client } = makeHarness({ baseUrl: server.url });
    const mas = new RoundsMas({ mas: rounds({ earlyStop: 'consensus' }), agents: AGENTS });
    const result = expectResult(await mas.run({ runId: 'r', task: TASK, prompts, executor: client }));
    const t = result.trajectory;
    assert.deepEqual(t.steps.map((s) => s.id), ['r1.alpha', 'r1.beta', 'r1.agg', 'r2.alpha', 'r2.beta', 'r2.agg', 'final']);
    assert.deepEqual(t.rounds.map((r) => r.index), [1, 2]);
    assert.deepEqual(t.attrs?.earlyStop, { afterRound: 2, answer: '42' });
    assert.equal(t.steps[6].round, 2);
    assert.deepEqual(t.steps[6].reads, ['r2.agg']);
    assert.equal(result.answer, 'Final answer from [S2 by agg]');
    assert.equal(server.chatRequests().length, 7);
  });

  it('runs without early stop when the answers differ in every round', async () => {
    server.setResponder(responder({ alpha: ['1', '2', '3'], beta: ['4', '5', '6'] }));
    const { client } = makeHarness({ baseUrl: server.url });
    const mas = new RoundsMas({ mas: rounds({ earlyStop: 'consensus' }), agents: AGENTS });
    const result = expectResult(await mas.run({ runId: 'r', task: TASK, prompts, executor: client }));
    assert.equal(result.trajectory.steps.length, 10);
    assert.equal(result.trajectory.attrs?.earlyStop, undefined);
  });

  it('uses one aggregator per round and, without a decision agent, lets the last aggregator decide', async () => {
    server.setResponder(responder({ alpha: ['1', '2'], beta: ['3', '4'] }));
    const { client } = makeHarness({ baseUrl: server.url });
    server.setResponder((req) => (roleOf(req) === 'agg2' && /Give the final answer/.test(req.lastUser) ? 'Answer: decided by agg2' : responder({ alpha: ['1', '2'], beta: ['3', '4'] })(req)));
    const mas = new RoundsMas({ mas: rounds({ rounds: 2, aggregator: ['agg', 'agg2'], decision: undefined }), agents: AGENTS });
    const result = expectResult(await mas.run({ runId: 'r', task: TASK, prompts, executor: client }));
    const t = result.trajectory;
    assert.deepEqual(t.rounds, [
      { index: 1, aggregator: 'agg', state: 'S1 by agg' },
      { index: 2, aggregator: 'agg2', state: 'S2 by agg2' },
    ]);
    const final = t.steps[t.steps.length - 1];
    assert.deepEqual([final.id, final.agentId, final.kind, final.reads], ['final', 'agg2', 'llm', ['r2.agg']]);
    assert.equal(result.answer, 'Answer: decided by agg2');
    assert.deepEqual(t.steps.find((s) => s.id === 'r2.agg')?.reads, ['r2.alpha', 'r2.beta', 'r1.agg']);
    assert.deepEqual(t.agents.map((a) => a.id), ['alpha', 'beta', 'agg', 'agg2']);
  });

  it('turns an LLM fault that outlasts the retries into a MasRunFailure with the partial trajectory', async () => {
    const answers = responder({ alpha: ['1', '2', '3'], beta: ['4', '5', '6'] });
    server.setResponder((req) =>
      roleOf(req) === 'beta' && roundOf(req) === 2 ? { error: { status: 500, message: 'upstream exploded', type: 'server_error' } } : answers(req),
    );
    const { client } = makeHarness({ baseUrl: server.url }, { retry: { maxAttempts: 2 } });
    const mas = new RoundsMas({ mas: rounds(), agents: AGENTS });
    const failure = expectFailure(await mas.run({ runId: 'r', task: TASK, prompts, executor: client }));
    assert.match(failure.reason, /^Round 2, agent "beta" \(step r2\.beta\): .*upstream exploded/);
    const partial = failure.partial;
    assert.ok(partial);
    assert.deepEqual(partial.steps.map((s) => s.id), ['r1.alpha', 'r1.beta', 'r1.agg', 'r2.alpha']);
    assert.deepEqual(partial.rounds, [{ index: 1, aggregator: 'agg', state: 'S1 by agg' }, { index: 2, aggregator: 'agg' }]);
    assert.equal((partial.attrs?.error as { kind: string }).kind, 'server');
    assert.equal(server.requests.filter((r) => r.status === 500).length, 2, 'the client retried before giving up');
  });

  it('reports a missing executor or prompt as a failure, and rejects a configuration it cannot run', async () => {
    const mas = new RoundsMas({ mas: rounds(), agents: AGENTS });
    assert.match(expectFailure(await mas.run({ runId: 'r', task: TASK, prompts })).reason, /needs an executor endpoint/);
    const { client } = makeHarness({ baseUrl: server.url });
    const { judge: _judge, ...withoutJudge } = prompts.agents;
    assert.match(expectFailure(await mas.run({ runId: 'r', task: TASK, prompts: { ...prompts, agents: withoutJudge }, executor: client })).reason, /no prompt for "judge"/);
    assert.equal(server.chatRequests().length, 0);

    assert.throws(() => new RoundsMas({ mas: rounds({ aggregator: ['agg', 'agg2'] }), agents: AGENTS }), (e: unknown) => e instanceof MasSetupError && /2 aggregators for 3 rounds/.test(e.message));
    assert.throws(() => new RoundsMas({ mas: rounds({ roles: ['alpha', 'gamma'] }), agents: AGENTS }), /"gamma", which is not in agents/);
  });

  it('rejects with the abort reason when cancelled mid-round, and sends nothing after', async () => {
    const answers = responder({ alpha: ['1', '2', '3'], beta: ['4', '5', '6'] });
    const controller = new AbortController();
    const reason = new Error('user pressed stop');
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    server.setResponder(async (req) => {
      if (roleOf(req) === 'beta' && roundOf(req) === 2) {
        // The user cancels while beta's round-2 call is on the wire.
        controller.abort(reason);
        await held;
      }
      return answers(req);
    });
    const { client } = makeHarness({ baseUrl: server.url });
    const mas = new RoundsMas({ mas: rounds(), agents: AGENTS });
    const steps: string[] = [];
    const run = mas.run({ runId: 'r', task: TASK, prompts, executor: client, signal: controller.signal, onStep: (s) => steps.push(s.id) });
    await assert.rejects(run, (e: unknown) => e === reason);
    release();
    const sent = server.chatRequests().length;
    const roles = server.chatRequests().map((r) => /ROLE:(\w+)/.exec(JSON.stringify(r.body))?.[1]);
    assert.deepEqual(roles.slice(0, 3).sort(), ['agg', 'alpha', 'beta']);
    assert.equal(roles.filter((r) => r === 'agg').length, 1, 'no aggregator call after the cancellation');
    assert.ok(!roles.includes('judge'), 'no decision after the cancellation');
    assert.ok(!steps.includes('r2.beta'));

    await assert.rejects(mas.run({ runId: 'r', task: TASK, prompts, executor: client, signal: AbortSignal.abort(reason) }), (e: unknown) => e === reason);
    assert.equal(server.chatRequests().length, sent);
  });
});
