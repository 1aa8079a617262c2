import { strict as assert } from 'node:assert';
import { ALL_AT_ONCE_MARKER, buildAllAtOnceMessages, createAllAtOnceMethod, MIN_STEP_CHARS, stepCharBudget, type AllAtOnceDetails } from '../../../src/core/credit/allAtOnce';
import { omittedCharacters } from '../../../src/core/credit/clipStep';
import { DECISIVE_ERROR_QUESTION } from '../../../src/core/credit/decisiveError';
import { importWhoWhenText, type Trajectory } from '../../../src/core/trajectory';
import { start, type FakeChatRequest, type FakeOpenAiServer, type FakeReply } from '../../support/fakeOpenAiServer';
import { makeContext, systemOf } from './bcd/fixtures';

/**
 * A small hand-crafted-style log: the Coder's script (s5) is the mistake, the terminal (s6) runs
 * it, and the Orchestrator (s7) takes the wrong number over.
 */
function sampleLog(coderOutput = 'print(17 * 3)  # WRONG: should be 17 * 4'): Trajectory {
  const history = [
    { role: 'human', content: 'How many legs do 17 dogs have?' },
    { role: 'Orchestrator (thought)', content: 'Plan: have the Coder compute it, then report.' },
    { role: 'Orchestrator (-> WebSurfer)', content: 'Confirm that a dog has four legs.' },
    { role: 'WebSurfer', content: 'A dog has four legs.' },
    { role: 'Orchestrator (-> Coder)', content: 'Multiply 17 by the number of legs.' },
    { role: 'Coder', content: coderOutput },
    { role: 'ComputerTerminal', content: '51' },
    { role: 'Orchestrator (thought)', content: 'Final answer: 51' },
  ];
  const log = { history, question: 'How many legs do 17 dogs have?', ground_truth: '68', mistake_agent: 'Coder', mistake_step: '5', mistake_reason: 'wrong factor', question_ID: 'legs-17' };
  const [trajectory] = importWhoWhenText(JSON.stringify(log), { source: 'hand-crafted/legs.json' }).trajectories;
  assert.ok(trajectory);
  return trajectory;
}

describe('all-at-once prompt', () => {
  it('shows the task, the outcome and every step with its id, agent and role, then the question', () => {
    const log = sampleLog();
    const { messages } = buildAllAtOnceMessages(log, 12_000);
    const [system, user] = messages;
    assert.ok(system?.content.startsWith(ALL_AT_ONCE_MARKER));
    const text = user?.content ?? '';
    assert.match(text, /<task id="legs-17">\nHow many legs do 17 dogs have\?\n<\/task>/);
    assert.match(text, /<outcome>[\s\S]*success: no[\s\S]*expected answer: 68[\s\S]*<\/outcome>/);
    const kinds: Record<string, string> = { human: 'human', ComputerTerminal: 'tool' };
    for (const step of log.steps) {
      const tag = new RegExp(`<step id="${step.id}" round="\\d+" agent="${step.agentId}" role="${kinds[step.agentId] ?? 'role'}"`);
      assert.match(text, tag, `step ${step.id} is missing or mislabelled`);
      assert.ok(text.includes(step.output), `the text of ${step.id} is not shown whole`);
    }
    assert.ok(text.includes(DECISIVE_ERROR_QUESTION));
    // The steps come in log order, before the question.
    const positions = log.steps.map((s) => text.indexOf(`<step id="${s.id}"`));
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
    assert.ok(positions.at(-1)! < text.indexOf(DECISIVE_ERROR_QUESTION));
  });

  it('clips a step longer than its share in the middle, with the marker, and drops no step', () => {
    const long = `HEAD-OF-THE-SCRIPT\n${'x = compute()\n'.repeat(5_000)}TAIL-OF-THE-SCRIPT`;
    const log = sampleLog(long);
    const { messages, stepChars } = buildAllAtOnceMessages(log, 1_000);
    const text = messages[1]?.content ?? '';
    assert.ok(stepChars >= MIN_STEP_CHARS && stepChars < long.length, `cap ${stepChars}`);
    for (const step of log.steps) assert.match(text, new RegExp(`<step id="${step.id}" `));
    assert.match(text, /\[… \d+ characters omitted …\]/);
    assert.ok(text.includes('HEAD-OF-THE-SCRIPT') && text.includes('TAIL-OF-THE-SCRIPT'), 'head and tail of the long step are kept');
    assert.ok(omittedCharacters(text) > long.length - 2 * stepChars);
    // The short steps are shown whole.
    assert.ok(text.includes('A dog has four legs.'));
  });

  it('shares the budget over the steps, short steps passing their unused share on, never below the floor', () => {
    // 40000 characters free: ten long steps get 4000 each; two short ones leave 39800 to eight long ones.
    assert.equal(stepCharBudget(12_000, 8_000, Array(10).fill(50_000)), 4_000);
    assert.equal(stepCharBudget(12_000, 8_000, [100, 100, ...Array(8).fill(50_000)]), 4_975);
    assert.equal(stepCharBudget(12_000, 8_000, Array(400).fill(5_000)), MIN_STEP_CHARS);
    assert.equal(stepCharBudget(1_000, 10_000, [5_000, 5_000, 5_000]), MIN_STEP_CHARS);
    // A log that fits whole is not clipped, however its length is spread.
    assert.equal(stepCharBudget(12_000, 8_000, [30_000, 100, 100]), 30_000);
    const { messages } = buildAllAtOnceMessages(sampleLog('y'.repeat(20_000)), 12_000);
    assert.equal(omittedCharacters(messages[1]?.content ?? ''), 0);
  });
});

describe('all-at-once answers as models give them', function () {
  this.timeout(20_000);
  let server: FakeOpenAiServer;
  let reply: FakeReply = '';
  const asked: FakeChatRequest[] = [];

  before(async () => {
    server = await start({
      responder: (req) => {
        if (req.jsonSchema?.name === 'truce_probe') return { json: { ok: true } };
        asked.push(req);
        return systemOf(req).includes(ALL_AT_ONCE_MARKER) ? reply : { content: 'unexpected request' };
      },
    });
  });
  after(() => server.close());
  beforeEach(() => (asked.length = 0));

  async function blameFor(answer: FakeReply, log = sampleLog()) {
    reply = answer;
    const notes: string[] = [];
    const report = await createAllAtOnceMethod().credit(makeContext(server.url, notes), [log]);
    const details = report.details as unknown as AllAtOnceDetails;
    return { blame: details.blame[log.taskId], decisive: details.decisive[log.taskId], why: details.why[log.taskId], notes };
  }

  const answer = { found: true, stepId: 's5', agent: 'Coder', reason: 'multiplied by 3 instead of 4', confidence: 0.9, shouldHaveBeen: 'print(17 * 4)', wouldSucceed: 'yes' };

  it('asks once, at temperature 0, with the whole log, and keeps the answer and the reason', async () => {
    const r = await blameFor({ json: answer });
    assert.equal(asked.length, 1);
    assert.equal(asked[0]?.body.temperature, 0);
    assert.equal(asked[0]?.jsonSchema?.name, 'all_at_once_decisive_error');
    assert.deepEqual([r.blame?.agent, r.blame?.stepId, r.blame?.source, r.blame?.confidence], ['Coder', 's5', 'decisive', 0.9]);
    assert.deepEqual(r.decisive, answer);
    assert.match(r.why ?? '', /s5 \(Coder\).*multiplied by 3/);
  });

  it('reads JSON in a fenced block', async () => {
    const r = await blameFor({ content: `\`\`\`json\n${JSON.stringify(answer, null, 2)}\n\`\`\`` });
    assert.deepEqual([r.blame?.agent, r.blame?.stepId], ['Coder', 's5']);
  });

  it('reads JSON with prose around it', async () => {
    const r = await blameFor({ content: `Having gone through the log, the mistake is clear.\n${JSON.stringify(answer)}\nLet me know if you need more detail.` });
    assert.deepEqual([r.blame?.agent, r.blame?.stepId], ['Coder', 's5']);
  });

  it('reads a step given as "step 5" or as the number 5, and a confidence given as a word', async () => {
    const byText = await blameFor({ json: { ...answer, stepId: 'step 5', confidence: 'high' } });
    assert.deepEqual([byText.blame?.agent, byText.blame?.stepId, byText.blame?.confidence], ['Coder', 's5', 0.8]);
    const byNumber = await blameFor({ json: { ...answer, stepId: 5, confidence: '70%' } });
    assert.deepEqual([byNumber.blame?.agent, byNumber.blame?.stepId, byNumber.blame?.confidence], ['Coder', 's5', 0.7]);
  });

  it('needs only found and the step: the agent comes from the log', async () => {
    const r = await blameFor({ json: { found: true, stepId: 's5' } });
    assert.deepEqual([r.blame?.agent, r.blame?.stepId, r.blame?.source], ['Coder', 's5', 'decisive']);
  });

  it('makes no pick when the model says it cannot tell, or names a step the log does not have', async () => {
    const cannotTell = await blameFor({ json: { found: false } });
    assert.equal(cannotTell.blame?.agent, undefined);
    assert.equal(cannotTell.blame?.stepId, undefined);
    assert.equal(cannotTell.blame?.source, 'none');
    assert.match(cannotTell.why ?? '', /cannot tell/);
    const unknown = await blameFor({ json: { found: true, stepId: 's99', agent: 'Coder' } });
    assert.equal(unknown.blame?.agent, undefined);
    assert.match(unknown.why ?? '', /"s99", which is not a step of the log/);
  });

  it('moves blame off a tool step to the agent that acted on its output', async () => {
    const r = await blameFor({ json: { found: true, stepId: 's6', agent: 'ComputerTerminal', confidence: 0.8 } });
    assert.deepEqual([r.blame?.agent, r.blame?.stepId], ['Orchestrator', 's7']);
  });

  it('records an unusable reply as a note and makes no pick', async () => {
    const r = await blameFor({ content: 'I think it was the Coder, somewhere in the middle.' });
    assert.equal(r.blame?.agent, undefined);
    assert.equal(r.decisive, undefined);
    assert.ok(r.notes.some((n) => /all-at-once \(task legs-17\).*no pick/.test(n)), r.notes.join('\n'));
    assert.equal(asked.length, 2, 'one repair request after the unusable reply');
  });
});
