import { strict as assert } from 'node:assert';
import { applySuggestions } from '../../../src/core/optimize/applySuggestions';
import { candidateItems, pruneOrder } from '../../../src/core/optimize/candidateItems';
import { collectFeedback, globalRewrite } from '../../../src/core/optimize/globalRewrite';
import type { CreditReport, CreditSignal, Suggestion } from '../../../src/core/credit/types';
import { start, type FakeChatRequest, type FakeOpenAiServer, type FakeReply } from '../../support/fakeOpenAiServer';
import { makeConfig, makeContext, PROMPTS, roundsTrajectory, systemOf } from '../credit/bcd/fixtures';

const failed = () =>
  roundsTrajectory({
    taskId: 't1',
    reference: 'B',
    success: false,
    rounds: [{ solver: 'Answer: B', skeptic: 'Answer: A', judge: 'Leading: A' }],
  });
const solved = () => roundsTrajectory({ taskId: 't2', reference: 'B', success: true, rounds: [{ solver: 'Answer: B', skeptic: 'Answer: B', judge: 'Leading: B' }] });

const signal = (s: Partial<CreditSignal> & Pick<CreditSignal, 'scope' | 'ref' | 'score'>): CreditSignal => ({ taskId: 't1', text: `about ${s.ref}`, evidence: [], method: 'truce', ...s });

const NEW_SOLVER = ['Solve the task step by step.', 'Check every option against the task before choosing.', 'State the letter you choose on the last line as "Answer: X".'];

/** Replies to global-rewrite calls per agent; anything else is an error. */
function rewriteResponder(byAgent: Record<string, FakeReply>, seen: string[] = []) {
  return (req: FakeChatRequest): FakeReply => {
    if (!systemOf(req).includes('[truce:global-rewrite]')) return { error: { status: 500, message: 'unexpected call', type: 'server_error' } };
    // The first user message holds the material; a repair turn comes after it.
    const user = req.messages.find((m) => m.role === 'user')?.content ?? '';
    const agent = /<agent id="([^"]+)"/.exec(user)?.[1] ?? '';
    seen.push(user);
    return byAgent[agent] ?? { error: { status: 500, message: `no reply for ${agent}`, type: 'server_error' } };
  };
}

describe('global rewrite (the no-units ablation)', function () {
  this.timeout(20_000);
  let server: FakeOpenAiServer;
  before(async () => (server = await start()));
  after(() => server.close());
  beforeEach(() => server.reset());

  it('implicates agents by negative signals on the agent, its rules or its steps, and ignores positive ones', () => {
    const context = makeContext(server.url);
    const solverUnit = context.agents.find((a) => a.agentId === 'solver')?.document.agents[0].units[0];
    assert.ok(solverUnit);
    const report: CreditReport = {
      method: 'truce',
      signals: [
        signal({ scope: 'agent', ref: 'skeptic', score: -0.7, evidence: ['r1.skeptic'] }),
        signal({ scope: 'subtrajectory', ref: '0', score: -0.5, text: 'round 1 went wrong', evidence: ['r1.agg'] }),
        signal({ scope: 'agent', ref: 'solver', score: 0.8, evidence: ['r1.solver'] }),
        signal({ scope: 'unit', ref: solverUnit.id, score: -0.3, text: 'too vague' }),
        signal({ scope: 'agent', ref: 'skeptic', score: -0.2, taskId: 't2', evidence: ['r1.skeptic'] }),
      ],
    };
    const feedback = collectFeedback(context, report, [failed(), solved()]);
    assert.deepEqual([...feedback.keys()], ['solver', 'skeptic', 'judge']);
    assert.deepEqual(feedback.get('solver')?.map((f) => f.text), ['too vague']);
    assert.deepEqual(feedback.get('judge')?.map((f) => [f.taskId, f.text, f.success]), [['t1', 'round 1 went wrong', false]]);
    // A negative signal on a solved task is feedback too, with its outcome.
    assert.deepEqual(feedback.get('skeptic')?.map((f) => [f.taskId, f.success, f.stepIds]), [
      ['t1', false, ['r1.skeptic']],
      ['t2', true, ['r1.skeptic']],
    ]);
  });

  it('with credit ablated, asks about every agent of a failed task and shows outcomes only', () => {
    const context = { ...makeContext(server.url), ablations: { noCredit: true, noUnits: true } };
    const feedback = collectFeedback(context, { method: 'truce', signals: [signal({ scope: 'agent', ref: 'solver', score: -1 })] }, [failed(), solved()]);
    assert.deepEqual([...feedback.keys()], ['solver', 'skeptic', 'judge']);
    for (const items of feedback.values()) assert.deepEqual(items.map((i) => [i.taskId, i.text]), [['t1', undefined]]);
  });

  it('makes one call per implicated agent and returns its rewrite as one group of edits, none filtered', async () => {
    const seen: string[] = [];
    server.setResponder(rewriteResponder({ solver: { json: { rules: [...NEW_SOLVER, NEW_SOLVER[0]], rationale: 'clearer answers' } } }, seen));
    const context = makeContext(server.url);
    const report: CreditReport = { method: 'truce', signals: [signal({ scope: 'agent', ref: 'solver', score: -0.6, text: 'solver skipped the check', evidence: ['r1.solver'] })] };
    const out = await globalRewrite(context, report, [failed(), solved()], { sampledTaskIds: ['t1', 't2'], method: 'truce' });
    assert.equal(out.calls, 1);
    assert.equal(server.chatRequests().length, 1);
    // The model sees the rules without ids and the feedback with task and outcome.
    assert.match(seen[0], /^- Solve the task step by step\.$/m);
    for (const u of context.agents.find((a) => a.agentId === 'solver')?.document.agents[0].units ?? []) assert.ok(!seen[0].includes(u.id), `unit id ${u.id} shown`);
    assert.match(seen[0], /<item task="t1" outcome="failed, score 0\.00">solver skipped the check<\/item>/);
    // Old rule 2 becomes the first new rule, the last new rule is added; the repeated rule is read once.
    assert.deepEqual(out.suggestions.map((s) => s.edit.op), ['MODIFY', 'ADD']);
    const groups = new Set(out.suggestions.map((s) => s.group));
    assert.equal(groups.size, 1);
    assert.match([...groups][0] ?? '', /^g-[0-9a-f]{12}$/);
    for (const s of out.suggestions) {
      assert.equal(s.status, 'proposed');
      assert.equal(s.support, 0.5);
      assert.deepEqual(s.evidence, [{ taskId: 't1', stepIds: ['r1.solver'] }]);
    }
    const applied = await applySuggestions(makeConfig(), PROMPTS, out.suggestions);
    assert.deepEqual(applied.results.map((r) => r.status), ['applied', 'applied']);
    assert.equal(applied.texts['prompts/solver.md'], `# Solver\n\n${NEW_SOLVER.map((r) => `- ${r}`).join('\n')}\n`);
  });

  it('never turns a malformed, empty or partly invalid rewrite into edits, and keeps locked rules whatever the reply says', async () => {
    server.setResponder(
      rewriteResponder({
        solver: { content: '{"rules": ["Solve the task' },
        judge: { json: { rules: ['Summarise the answers of the round.', '## New section\nKeep the majority answer.', 'Name the agents that agree.'], rationale: 'restructure' } },
        skeptic: { json: { rules: [], rationale: 'nothing is needed' } },
      }),
    );
    const notes: string[] = [];
    const context = makeContext(server.url, notes);
    const report: CreditReport = { method: 'truce', signals: ['solver', 'skeptic', 'judge'].map((ref) => signal({ scope: 'agent', ref, score: -0.5 })) };
    const out = await globalRewrite(context, report, [failed()], { sampledTaskIds: ['t1'], method: 'truce' });
    assert.deepEqual(out.suggestions, []);
    assert.deepEqual(out.rejected.map((r) => r.agentId).sort(), ['judge', 'skeptic', 'solver']);
    assert.match(out.rejected.find((r) => r.agentId === 'judge')?.reason ?? '', /heading.*whole or not at all/);
    assert.match(out.rejected.find((r) => r.agentId === 'skeptic')?.reason ?? '', /no rules at all/);
    assert.ok(notes.some((n) => n.startsWith('global rewrite (agent solver): the reply could not be used')));

    // A list without the locked rule does not delete it.
    server.setResponder(rewriteResponder({ skeptic: { json: { rules: ['Name the exact step you doubt.'], rationale: 'sharper' } } }));
    const locked = context.agents.find((a) => a.agentId === 'skeptic')?.document.agents[0].units.find((u) => u.locked);
    assert.ok(locked);
    const again = await globalRewrite(context, { method: 'bcd', signals: [signal({ scope: 'agent', ref: 'skeptic', score: -0.5 })] }, [failed()], { sampledTaskIds: ['t1'], method: 'bcd' });
    assert.deepEqual(again.suggestions.map((s) => s.edit.op), ['MODIFY']);
    assert.ok(again.suggestions.every((s) => s.edit.targetUnitId !== locked.id && s.method === 'bcd'));
  });

  it('applies a group whole or not at all', async () => {
    server.setResponder(rewriteResponder({ solver: { json: { rules: NEW_SOLVER, rationale: 'clearer answers' } } }));
    const context = makeContext(server.url);
    const out = await globalRewrite(context, { method: 'truce', signals: [signal({ scope: 'agent', ref: 'solver', score: -0.6 })] }, [failed()], { sampledTaskIds: ['t1'], method: 'truce' });
    assert.equal(out.suggestions.length, 2);
    // The agent gained the rule the ADD brings since: the MODIFY alone would apply, but the group must not.
    const base = { ...PROMPTS, 'prompts/solver.md': `${PROMPTS['prompts/solver.md']}- ${NEW_SOLVER[2]}\n` };
    const applied = await applySuggestions(makeConfig(), base, out.suggestions);
    assert.deepEqual(applied.results.map((r) => r.status), ['rejected', 'rejected']);
    assert.match(applied.results[0].reason ?? '', /whole or not at all/);
    assert.match(applied.results[1].reason ?? '', /already has this rule/);
    assert.equal(applied.texts['prompts/solver.md'], base['prompts/solver.md']);
  });
});

describe('candidate items', () => {
  const s = (id: string, support: number, group?: string): Suggestion => ({
    id,
    edit: { op: 'ADD', agentId: 'a', newText: id },
    file: 'p.md',
    rationale: '',
    evidence: [],
    support,
    tasks: [],
    credit: 0,
    method: 'truce',
    status: 'proposed',
    ...(group ? { group } : {}),
  });

  it('makes a group one item at its first member, and pruning tries it away as one', () => {
    const items = candidateItems([s('a', 0.5), s('b', 0.25, 'g-1'), s('d', 0.1), s('c', 0.25, 'g-1')]);
    assert.deepEqual(items.map((i) => [i.key, i.members.map((m) => m.id)]), [
      ['a', ['a']],
      ['g-1', ['b', 'c']],
      ['d', ['d']],
    ]);
    assert.deepEqual(pruneOrder(items).map((i) => i.key), ['d', 'g-1', 'a']);
  });
});
