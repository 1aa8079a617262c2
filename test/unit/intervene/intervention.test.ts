/**
 * Intervention end to end against the loopback fake upstream: a command MAS (the official `openai`
 * SDK, reading only OPENAI_BASE_URL) runs behind the gateway and fails because its researcher
 * states a wrong fact; credit blames the researcher's step; the intervention corrects that step and
 * the writer — live, reading the corrected reply — now answers right. The upstream must see the
 * calls after the step only: the ones before it are replayed, the step itself is the correction.
 * Correcting an innocent step (the planner's) must not flip the task: the researcher, live again,
 * repeats its mistake. Bad input gets a clear error before anything is spent.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { truceConfigSchema } from '../../../src/core/config';
import { describeIntervention, intervene, InterventionError, readInterventions, type InterveneOptions } from '../../../src/core/intervene';
import { INTERVENTION_CALLS_FILE } from '../../../src/core/intervene/interventionGateway';
import { runMas } from '../../../src/core/run';
import { loadRun } from '../../../src/core/store';
import { creditStoredRun } from '../../../src/core/storedRunCredit';
import { runCli } from '../../../src/cli/runCli';
import { start, type FakeChatRequest, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';

const FIXTURE = resolve('test/fixtures/mas/relay-mas.js');
const NODE_MODULES = resolve('node_modules');
const KEY = 'sk-intervention-test-key';
const TASK = { id: 'capital', input: 'What is the capital of France?', reference: 'Paris' };

interface World {
  /** What the optimizer's correction call answers. */
  correction: string;
  /** The step Φ names as the decisive error (by agent). */
  blamedAgent: string;
}

/** The MAS's agents, told apart by their system prompts, and the optimizer's Φ and correction calls. */
function responder(world: World) {
  return (request: FakeChatRequest) => {
    if (request.jsonSchema?.name === 'truce_correction' || request.lastUser.includes('What should this agent have said here?')) {
      return { json: { reply: world.correction } };
    }
    if (request.jsonSchema?.name === 'truce_credit' || request.lastUser.includes('<part index=')) return { json: phi(request.lastUser, world.blamedAgent) };
    const system = request.messages[0]?.content ?? '';
    if (system.includes('Planner')) return { content: 'Look the capital up, then answer in one word.' };
    if (system.includes('Researcher')) return { content: 'FACT: Lyon' };
    // The writer answers with the fact it was handed, whatever it is.
    const fact = /FACT:\s*(\w+)/.exec(request.lastUser)?.[1] ?? 'unknown';
    return { content: fact };
  };
}

/** Φ's reply: every part shown, the blamed agent's step named as the decisive error and cited as an issue. */
function phi(user: string, blamedAgent: string) {
  const parts = [...user.matchAll(/<part index="(\d+)"/g)].map((m) => Number(m[1]));
  const step = new RegExp(`<step id="([^"]+)"[^>]*agent="${blamedAgent}"`).exec(user)?.[1];
  return {
    parts: parts.map((index) => ({
      index,
      progress: -0.5,
      coordination: 0,
      stage: 0,
      overall: -0.5,
      summary: 'The team answered with a wrong city. The wrong fact was passed on.',
      highlights: [],
      issues: step ? [{ stepIds: [step], text: `${blamedAgent} stated a wrong fact.`, severity: 1 }] : [],
    })),
    decisive: step ? { found: true, stepId: step, agent: blamedAgent, reason: `${blamedAgent} gave Lyon as the capital of France; the writer passed it on.`, confidence: 0.9 } : { found: false },
  };
}

function workspace(baseUrl: string, mas: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'truce-intervene-'));
  mkdirSync(join(dir, 'prompts'));
  writeFileSync(join(dir, 'prompts/planner.md'), '# Planner\n\n- Plan the steps.\n');
  writeFileSync(join(dir, 'prompts/researcher.md'), '# Researcher\n\n- State the fact the question needs.\n');
  writeFileSync(join(dir, 'prompts/writer.md'), '# Writer\n\n- Answer in one word.\n');
  writeFileSync(join(dir, 'tasks.jsonl'), `${JSON.stringify(TASK)}\n`);
  const raw = {
    agents: [
      { id: 'planner', prompt: 'prompts/planner.md' },
      { id: 'researcher', prompt: 'prompts/researcher.md' },
      { id: 'writer', prompt: 'prompts/writer.md' },
    ],
    mas: { kind: 'command', argv: [process.execPath, FIXTURE], env: { NODE_PATH: NODE_MODULES }, timeoutMs: 20_000, ...mas },
    tasks: { file: 'tasks.jsonl', split: { train: 1, val: 0, test: 0 } },
    evaluator: { type: 'exact' },
    llm: { executor: { baseUrl, model: 'fake-model', apiKeyEnv: 'EXECUTOR_KEY', pricePer1kInput: 1, pricePer1kOutput: 2 } },
  };
  // JSON is YAML: the CLI reads the same configuration.
  writeFileSync(join(dir, 'truce.yaml'), JSON.stringify(raw, null, 2));
  return { dir, config: truceConfigSchema.parse(raw), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const env = { EXECUTOR_KEY: KEY, PATH: process.env.PATH };

describe('intervention: a blamed step corrected, the MAS re-run (fake upstream, openai SDK MAS)', function () {
  this.timeout(90_000);
  let server: FakeOpenAiServer;
  let world: World;
  let ws: ReturnType<typeof workspace>;
  let runId: string;

  beforeEach(async () => {
    world = { correction: 'FACT: Paris', blamedAgent: 'researcher' };
    server = await start({ apiKey: KEY, responder: responder(world) });
    ws = workspace(server.url);
    const run = await runMas({ config: ws.config, workspaceRoot: ws.dir, trusted: true, env, toolVersion: 'test' });
    assert.equal(run.status, 'completed', run.summary.statusReason);
    assert.equal(run.summary.scores.all.successRate, 0, 'the run fails: the researcher said Lyon');
    runId = run.runId;
  });
  afterEach(async () => {
    await server.close();
    ws.remove();
  });

  const options = (extra: Partial<InterveneOptions> = {}): InterveneOptions => ({ config: ws.config, workspaceRoot: ws.dir, runId, taskId: TASK.id, env, trusted: true, ...extra });
  const messages = (r: { body: unknown }) => (r.body as { messages?: Array<{ content?: string }> }).messages ?? [];
  const chatBy = (word: string) => server.chatRequests().filter((r) => (messages(r)[0]?.content ?? '').includes(word));

  it('confirms credit\'s blame: the corrected researcher reply reaches the live writer, and the task succeeds', async () => {
    const credit = await creditStoredRun({ config: ws.config, workspaceRoot: ws.dir, runId, env });
    const run = await loadRun(ws.dir, runId);
    const researcherStep = run.trajectories[0]!.steps.find((s) => s.agentId === 'researcher')!;
    assert.equal((credit.report.details as { blame: Record<string, { stepId?: string }> }).blame[TASK.id]?.stepId, researcherStep.id, 'credit blames the researcher');

    server.reset();
    const result = await intervene(options({ repeats: 3 }));
    const r = result.record;
    assert.equal(r.stepId, researcherStep.id);
    assert.equal(r.agentId, 'researcher');
    assert.equal(r.source, 'credit');
    assert.equal(r.callId, researcherStep.attrs.callId);
    assert.equal(r.original, 'FACT: Lyon');
    assert.equal(r.correction, 'FACT: Paris');
    assert.match(r.reason ?? '', /gave Lyon as the capital/);
    assert.deepEqual([r.runs, r.flips], [3, 3]);
    assert.equal(describeIntervention(r), `confirmed by intervention: 3 of 3 runs succeed with step ${researcherStep.id} corrected`);
    for (const repeat of r.repeats) {
      assert.deepEqual([repeat.reached, repeat.success, repeat.answer, repeat.replayed, repeat.live, repeat.missed], [true, true, 'Paris', 1, 1, 0]);
    }

    // Upstream: no planner or researcher call (replayed, corrected); three writer calls that read the correction.
    assert.equal(chatBy('Planner').length, 0);
    assert.equal(chatBy('Researcher').length, 0);
    const writer = chatBy('Writer');
    assert.equal(writer.length, 3);
    assert.ok(writer.every((w) => (messages(w).at(-1)?.content ?? '').includes('FACT: Paris')));
    // Spend: the three writer calls and the one correction call, as the server counted them.
    assert.equal(r.spend.calls, 4);
    const served = server.chatRequests().reduce((n, q) => n + (q.usage?.prompt_tokens ?? 0), 0);
    assert.equal(r.spend.inputTokens, served);
    assert.ok(r.spend.costUsd > 0);

    // Stored beside the credit, read back through the schema; every re-run call written down.
    const stored = await readInterventions(result.dir);
    assert.deepEqual(stored.problems, []);
    assert.deepEqual(stored.records, [r]);
    const calls = readFileSync(join(result.dir, INTERVENTION_CALLS_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { served: string; intervention: string });
    assert.equal(calls.length, 9);
    assert.deepEqual(calls.map((c) => c.served).sort(), [...Array(6).fill('recording'), ...Array(3).fill('upstream')]);
    assert.ok(calls.every((c) => c.intervention === r.id));
  });

  it('does not confirm a step that did not cause the failure: the planner corrected, the live researcher says Lyon again', async () => {
    world.correction = 'First find the capital city, then answer with its name.';
    const run = await loadRun(ws.dir, runId);
    const plannerStep = run.trajectories[0]!.steps.find((s) => s.agentId === 'planner')!;
    server.reset();
    const result = await intervene(options({ step: plannerStep.id, repeats: 2 }));
    assert.equal(result.record.source, 'user');
    assert.deepEqual([result.record.runs, result.record.flips], [2, 0]);
    assert.match(describeIntervention(result.record), /^not confirmed by intervention: 0 of 2 runs succeed/);
    assert.equal(chatBy('Planner').length, 0, 'the planner call is the corrected one');
    assert.equal(chatBy('Researcher').length, 2, 'the researcher, after the corrected step, runs live');
    assert.ok(result.record.repeats.every((x) => x.answer === 'Lyon'));
  });

  it('refuses bad input with what to do, and spends nothing', async () => {
    server.reset();
    await assert.rejects(intervene(options({ taskId: 'nope' })), (e: Error) => e instanceof InterventionError && /has no task "nope"; its tasks are capital/.test(e.message));
    await assert.rejects(intervene(options({ step: 's99' })), /has no step "s99"; its steps are/);
    await assert.rejects(intervene(options()), /has no credit yet, so no step is blamed: run `truce credit .*` first, or name the step with --step/);
    await assert.rejects(intervene(options({ repeats: 0 })), /Repeats must be a whole number from 1 to 20/);
    await assert.rejects(intervene(options({ trusted: false, step: 's1' })), /not trusted/);
    await assert.rejects(intervene(options({ runId: '20990101-000000-abcd', step: 's1' })), /20990101-000000-abcd/);
    // A budget too small for the projection is refused before the correction is asked for.
    await assert.rejects(intervene(options({ config: { ...ws.config, budget: { ...ws.config.budget, maxCost: 1e-9 } }, step: 's1' })), /exceeds the budget/);
    // Changed prompts: the recording would not match the MAS's requests.
    writeFileSync(join(ws.dir, 'prompts/planner.md'), '# Planner\n\n- Plan differently.\n');
    await assert.rejects(intervene(options({ step: 's1' })), /prompt files changed since run/);
    assert.equal(server.chatRequests().length, 0, 'nothing was spent');
  });

  it('says a step without a recorded model call cannot be intervened on', async () => {
    // The same MAS run without the gateway, calling its endpoint itself: no step names a call.
    const direct = workspace(server.url, { gateway: false, env: { NODE_PATH: NODE_MODULES, OPENAI_BASE_URL: server.url, OPENAI_API_KEY: KEY } });
    try {
      const run = await runMas({ config: direct.config, workspaceRoot: direct.dir, trusted: true, env, toolVersion: 'test' });
      const stepId = (await loadRun(direct.dir, run.runId)).trajectories[0]!.steps[1]!.id;
      server.reset();
      await assert.rejects(
        intervene({ config: direct.config, workspaceRoot: direct.dir, runId: run.runId, taskId: TASK.id, step: stepId, env, trusted: true }),
        new RegExp(`Step ${stepId} of task capital \\(researcher\\) has no recorded model call: .*cannot be intervened on`),
      );
      assert.equal(server.chatRequests().length, 0);
    } finally {
      direct.remove();
    }
  });

  it('on the command line: the projection first, --max-usd respected, the verdict printed, and `truce credit` shows it', async () => {
    const cli = async (...args: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: ws.dir, env });
      return { code, stdout, stderr };
    };
    const credited = await cli('credit', 'latest');
    assert.equal(credited.code, 0, credited.stderr);
    assert.match(credited.stdout, new RegExp(`capital: step s1 \\(researcher\\) — not checked by intervention \\(truce intervene ${runId} --task capital\\)`));

    server.reset();
    assert.equal((await cli('intervene', 'latest', '--trust')).code, 2, 'no --task is a usage error');
    assert.equal((await cli('intervene', 'latest', '--task', 'capital', '--repeats', '0', '--trust')).code, 2);
    const untrusted = await cli('intervene', 'latest', '--task', 'capital');
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /not trusted/);
    const capped = await cli('intervene', 'latest', '--task', 'capital', '--repeats', '2', '--max-usd', '0.000001', '--trust');
    assert.equal(capped.code, 1);
    assert.match(capped.stderr, /Projected for this intervention: 3 LLM calls/);
    assert.match(capped.stderr, /not started: the projection exceeds the cost cap/);
    const noCall = await cli('intervene', 'latest', '--task', 'capital', '--step', 's3x', '--trust');
    assert.equal(noCall.code, 1);
    assert.match(noCall.stderr, /has no step "s3x"/);
    assert.equal(server.chatRequests().length, 0, 'nothing spent by refused commands');

    const done = await cli('intervene', 'latest', '--task', 'capital', '--repeats', '2', '--trust');
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stderr, /Projected for this intervention/);
    assert.equal(done.stdout, 'confirmed by intervention: 2 of 2 runs succeed with step s1 corrected\n');
    const again = await cli('credit', 'latest');
    assert.match(again.stdout, /capital: step s1 \(researcher\) — confirmed by intervention: 2 of 2 runs succeed with step s1 corrected/);
    const json = JSON.parse((await cli('credit', 'latest', '--json')).stdout) as { blame: Array<{ taskId: string; evidence: string }> };
    assert.deepEqual(json.blame.map((b) => [b.taskId, b.evidence]), [['capital', 'confirmed by intervention: 2 of 2 runs succeed with step s1 corrected']]);
  });
});
