/**
 * Φ end to end against the loopback fake: what the prompt shows the model, and how the answer
 * shapes real models give come back as one blamed step (details.blame of the TRUCE report).
 */
import { strict as assert } from 'node:assert';
import { createTruceMethod, truceDetails } from '../../../../src/core/credit/truce';
import { importWhoWhenText } from '../../../../src/core/trajectory';
import type { Trajectory } from '../../../../src/core/trajectory/schema';
import { start, type FakeChatRequest, type FakeOpenAiServer, type FakeReply } from '../../../support/fakeOpenAiServer';
import { makeContext, systemOf } from '../bcd/fixtures';

const TRACEBACK = 'Traceback (most recent call last):\n  File "x.py", line 3\nZeroDivisionError: division by zero';

/** A failed Magentic-One-style run: the Coder's step s5 is wrong; the orchestrator speaks before every agent. */
function failedLog(): Trajectory {
  const history = [
    { role: 'human', content: 'What is 12 / 4?' },
    { role: 'Orchestrator (thought)', content: 'Plan: ask the Coder to compute it.' },
    { role: 'Orchestrator (-> Coder)', content: 'Please compute 12 / 4.' },
    { role: 'Coder', content: 'print(12 / 4)' },
    { role: 'ComputerTerminal', content: `${'noise line\n'.repeat(900)}${TRACEBACK}\n${'more noise\n'.repeat(900)}` },
    { role: 'Coder', content: 'The result is 4.' },
    { role: 'Orchestrator (thought)', content: 'FINAL ANSWER: 4' },
  ];
  const [t] = importWhoWhenText(JSON.stringify({ history, question: 'What is 12 / 4?', ground_truth: '3', mistake_agent: 'Coder', mistake_step: '5', mistake_reason: 'misread the result' }), { source: 'hand-crafted/x.json' }).trajectories;
  return t!;
}

/** A Φ answer for every part asked about: praise for the plan (s1), blame for the Coder (s5) and, second, the orchestrator (s6). */
function answer(user: string, decisive?: unknown): Record<string, unknown> {
  const indices = [...user.matchAll(/<part index="(\d+)"/g)].map((m) => Number(m[1]));
  const stepsOf = (i: number) => [...(new RegExp(`<part index="${i}"[^>]*>([\\s\\S]*?)</part>`).exec(user)?.[1] ?? '').matchAll(/<step id="([^"]+)"/g)].map((m) => m[1]!);
  return {
    parts: indices.map((index) => {
      const ids = stepsOf(index);
      return {
        index,
        progress: 0,
        coordination: 0,
        stage: 0,
        overall: ids.includes('s5') ? -0.9 : 0.2,
        summary: 'What happened.',
        highlights: ids.includes('s1') ? [{ stepIds: ['s1'], text: 'A sound plan.' }] : [],
        issues: ids.includes('s5') ? [{ stepIds: ['s5'], text: 'Misread the result.' }, ...(ids.includes('s6') ? [{ stepIds: ['s6'], text: 'Accepted it.' }] : [])] : [],
      };
    }),
    ...(decisive !== undefined ? { decisive } : {}),
  };
}

describe('TRUCE Φ asks for the decisive error and keeps the answer', function () {
  this.timeout(20_000);
  let server: FakeOpenAiServer;
  let shape: (req: FakeChatRequest) => FakeReply;
  const prompts: string[] = [];

  before(async () => {
    server = await start({
      responder: (req) => {
        if (req.jsonSchema?.name === 'truce_probe') return { json: { ok: true } };
        if (!systemOf(req).includes('[truce:phi]')) return { content: 'unexpected' };
        prompts.push(req.lastUser);
        return shape(req);
      },
    });
  });
  after(() => server?.close());

  async function blameFor(reply: (req: FakeChatRequest) => FakeReply, trajectory = failedLog()) {
    shape = reply;
    prompts.length = 0;
    const context = makeContext(server.url);
    const report = await createTruceMethod().credit(context, [trajectory]);
    return truceDetails(report).blame[trajectory.taskId];
  }

  it('shows every step with id, agent and role, the task and the outcome, and asks the decisive question of a failed task', async () => {
    await blameFor((req) => ({ json: answer(req.lastUser) }));
    const user = prompts.join('\n');
    for (const [id, agent, role] of [['s1', 'Orchestrator', 'role'], ['s4', 'ComputerTerminal', 'tool'], ['s5', 'Coder', 'role']] as const) {
      assert.match(user, new RegExp(`<step id="${id}" round="\\d+" agent="${agent}" role="${role}"`));
    }
    assert.match(user, /<task id=[^>]*>\nWhat is 12 \/ 4\?/);
    assert.match(user, /expected answer: 3/);
    assert.match(user, /Name the decisive error/);
    // The terminal's long output is elided in the middle, and its traceback survives.
    assert.match(user, /\[… \d+ characters omitted …\]/);
    assert.match(user, /ZeroDivisionError: division by zero/);
  });

  it('does not ask for a decisive error when the task succeeded', async () => {
    const ok = failedLog();
    ok.outcome = { score: 1, success: true, details: {} };
    const blame = await blameFor((req) => ({ json: answer(req.lastUser) }), ok);
    assert.equal(blame, undefined);
    assert.doesNotMatch(prompts.join('\n'), /decisive error/);
  });

  it('blames the decisive step in prose around JSON, in fenced JSON, and given as a number', async () => {
    const decisive = { found: true, stepId: 's5', agent: 'Coder', reason: 'It misread 3 as 4.', confidence: 0.8, shouldHaveBeen: 'The result is 3.', wouldSucceed: 'yes' };
    const prose = await blameFor((req) => ({ content: `Here is my assessment.\n${JSON.stringify(answer(req.lastUser, decisive))}\nI hope this helps.` }));
    assert.deepEqual([prose?.agent, prose?.stepId, prose?.source], ['Coder', 's5', 'decisive']);
    const fenced = await blameFor((req) => ({ content: '```json\n' + JSON.stringify(answer(req.lastUser, decisive), null, 2) + '\n```' }));
    assert.equal(fenced?.stepId, 's5');
    const byNumber = await blameFor((req) => ({ json: answer(req.lastUser, { found: true, stepId: 5 }) }));
    assert.deepEqual([byNumber?.stepId, byNumber?.source], ['s5', 'decisive']);
  });

  it('falls back on the signed verdicts when the answer has no decisive field, and never on praise', async () => {
    const blame = await blameFor((req) => ({ json: answer(req.lastUser) }));
    assert.deepEqual([blame?.agent, blame?.stepId, blame?.source], ['Coder', 's5', 'verdict']);
  });

  it('gives no pick when the model cannot tell', async () => {
    const blame = await blameFor((req) => ({ json: answer(req.lastUser, { found: false }) }));
    assert.equal(blame?.source, 'none');
    assert.equal(blame?.stepId, undefined);
  });

  it('moves a decisive tool step to the agent that acted on it', async () => {
    const blame = await blameFor((req) => ({ json: answer(req.lastUser, { found: true, stepId: 's4', agent: 'ComputerTerminal' }) }));
    assert.deepEqual([blame?.agent, blame?.stepId], ['Coder', 's5']);
  });
});

describe('TRUCE Φ with self-consistency samples', function () {
  this.timeout(20_000);
  let server: FakeOpenAiServer;
  const seen: Array<{ temperature: unknown; decisive: string }> = [];

  before(async () => {
    server = await start({
      responder: (req) => {
        if (req.jsonSchema?.name === 'truce_probe') return { json: { ok: true } };
        // Three samples: two name the Coder's s5, one the orchestrator's s6 with more confidence.
        const n = seen.length;
        const decisive = n % 3 === 2 ? { found: true, stepId: 's6', confidence: 0.9 } : { found: true, stepId: 's5', confidence: 0.6 };
        seen.push({ temperature: (req.body as { temperature?: unknown }).temperature, decisive: decisive.stepId });
        return { json: answer(req.lastUser, decisive) };
      },
    });
  });
  after(() => server?.close());

  it('asks K separate times at a sampling temperature and lets the answers vote by confidence', async () => {
    const t = failedLog();
    const report = await createTruceMethod({ samples: 3 }).credit(makeContext(server.url), [t]);
    const details = truceDetails(report);
    assert.equal(seen.length % 3, 0);
    assert.ok(seen.length >= 3, 'three calls per batch, none answered from the cache');
    assert.ok(seen.every((s) => typeof s.temperature === 'number' && s.temperature > 0), JSON.stringify(seen));
    // s5: 0.6 + 0.6 = 1.2 against s6: 0.9.
    assert.deepEqual([details.blame[t.taskId]?.stepId, details.calls.phi], ['s5', seen.length]);
    assert.match(details.blame[t.taskId]?.why ?? '', /2 of 3 answers/);
  });
});
