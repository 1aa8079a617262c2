import { strict as assert } from 'node:assert';
import { bcdStateFromDetails, createBcdMethod } from '../../../../src/core/credit/bcd';
import { start, type FakeChatRequest, type FakeOpenAiServer, type FakeReply } from '../../../support/fakeOpenAiServer';
import { makeContext, roundsTrajectory, systemOf } from './fixtures';

const failed = () =>
  roundsTrajectory({
    taskId: 't1',
    reference: 'B',
    success: false,
    rounds: [
      { solver: 'a comes first.\nAnswer: B', skeptic: 'I think b.\nAnswer: A', judge: 'Majority so far: A' },
      { solver: 'Still B.\nAnswer: B', skeptic: 'Answer: A', judge: 'Final: A' },
    ],
  });
const solved = () =>
  roundsTrajectory({ taskId: 't2', reference: 'B', success: true, rounds: [{ solver: 'Answer: B', skeptic: 'Answer: B', judge: 'Answer: B' }] });

function ruleIds(text: string): Array<{ id: string; locked: boolean }> {
  return [...text.matchAll(/^- \[([^\]]+)\]( \(LOCKED\))?/gm)].map((m) => ({ id: m[1], locked: m[2] !== undefined }));
}

/** Solver is a strong role, skeptic a weak one, the judge's states are poor. */
function responder(options: { gradient?: (req: FakeChatRequest) => FakeReply } = {}) {
  return (req: FakeChatRequest): FakeReply => {
    const system = systemOf(req);
    if (system.includes('[truce:bcd-critic]')) {
      const score = req.lastUser.includes('Contribution of solver') ? 0.9 : req.lastUser.includes('Contribution of skeptic') ? 0.2 : 0.3;
      return { json: { score, rationale: `critic says ${score}` } };
    }
    if (system.includes('[truce:bcd-peer]')) {
      return {
        json: {
          ratings: [
            { agentId: 'solver', score: 0.8, rationale: 'kept the group right' },
            { agentId: 'skeptic', score: 0.1, rationale: 'led it astray' },
            { agentId: 'ghost', score: 1, rationale: 'not in the round' },
          ],
        },
      };
    }
    if (system.includes('[truce:bcd-gradient]')) {
      if (options.gradient) return options.gradient(req);
      const ids = ruleIds(req.lastUser);
      const free = ids.find((u) => !u.locked);
      const locked = ids.find((u) => u.locked);
      return {
        json: {
          diagnosis: 'The rules let the agent contradict a correct answer without evidence.',
          implicatedUnits: [
            { unitId: free?.id ?? 'none', why: 'too vague' },
            { unitId: 'u-does-not-exist', why: 'invented' },
          ],
          edits: [
            { op: 'MODIFY', targetUnitId: free?.id, newText: 'Challenge an answer only with a concrete counter-example.', rationale: 'focus criticism' },
            ...(locked ? [{ op: 'DELETE', targetUnitId: locked.id, rationale: 'tries a locked rule' }] : []),
            { op: 'DELETE', targetUnitId: 'u-does-not-exist', rationale: 'unknown id' },
            { op: 'ADD', newText: 'State the letter you choose on the last line as "Answer: X".', rationale: 'clear answers' },
          ],
        },
      };
    }
    return { content: 'unexpected call' };
  };
}

describe('bcd method end to end', function () {
  this.timeout(20_000);
  let server: FakeOpenAiServer;
  before(async () => (server = await start()));
  after(() => server.close());
  beforeEach(() => server.reset());

  it('credits roles and rounds, targets the weakest role in phase A and turns its gradient into valid unit edits only', async () => {
    let judged = 0;
    const base = responder();
    server.setResponder((req) => {
      if (/\[truce:bcd-(critic|peer)\]/.test(systemOf(req))) judged += 1;
      return base(req);
    });
    const notes: string[] = [];
    const context = makeContext(server.url, notes);
    const method = createBcdMethod({ options: { bottomK: 1, minFailures: 2, tau: 0.5, maxEditsPerCall: 4 } });
    const trajectories = [failed(), solved()];
    const report = await method.credit(context, trajectories);

    const agent = report.signals.filter((s) => s.scope === 'agent' && s.taskId === 't1');
    const skeptic = agent.find((s) => s.ref === 'skeptic');
    const solver = agent.find((s) => s.ref === 'solver');
    assert.ok(skeptic && solver);
    // c = 0.5·0.2 + 0.5·0.1 = 0.15 → 2c − 1 = −0.7.
    assert.ok(Math.abs(skeptic.score - -0.7) < 1e-9, String(skeptic.score));
    assert.ok(solver.score > 0);
    assert.deepEqual(skeptic.evidence, ['r1.skeptic', 'r2.skeptic']);
    assert.equal(report.details?.phase, 'A');
    assert.deepEqual((report.details?.targets as Array<{ agentId: string }>).map((t) => t.agentId), ['skeptic']);
    // The solved task t2 is not scored, so it has no blame.
    assert.deepEqual(report.details?.blame, { t1: { agent: 'skeptic', stepId: 'r1.skeptic' } });

    // Round 1 and 2 of t1 are informative failures (solver right, judge wrong); t2's judge was right.
    const state = bcdStateFromDetails(report.details);
    assert.deepEqual(state?.rounds['1'], { aggregator: 'judge', ema: 0.3, failures: 1 });
    assert.deepEqual(state?.rounds['2'], { aggregator: 'judge', ema: 0.3, failures: 1 });

    const units = report.signals.filter((s) => s.scope === 'unit');
    assert.equal(units.length, 1);
    assert.ok(units[0].score < 0);
    assert.ok(notes.some((n) => n.includes('u-does-not-exist')));
    assert.ok(notes.some((n) => n.includes('ghost')));

    const suggestions = await method.suggest(context, report, trajectories);
    assert.deepEqual(suggestions.map((s) => s.edit.op), ['MODIFY', 'ADD']);
    for (const s of suggestions) {
      assert.equal(s.edit.agentId, 'skeptic');
      assert.equal(s.file, 'prompts/skeptic.md');
      assert.equal(s.method, 'bcd');
      assert.equal(s.taskId, 't1');
      assert.deepEqual(s.evidence, [{ taskId: 't1', stepIds: ['r1.skeptic', 'r2.skeptic'] }]);
    }
    assert.equal(suggestions[0].edit.targetUnitId, units[0].ref);
    assert.ok(notes.some((n) => /locked/.test(n)), notes.join('\n'));

    // Query complexity: per round of the failed task (two) a critic per role and one peer view;
    // a critic of the state on each informative failure (both rounds of t1; t2's judge was right);
    // plus one gradient. Nothing of the solved task t2 is shown to a critic or a peer view.
    const queries = report.details?.queries as { calls: number };
    assert.equal(queries.calls, server.chatRequests().length);
    assert.equal(queries.calls, 2 * (2 + 1) + 2 + 1);
    // Scoring t2 as well would have added two role critics and a peer view (11 in all).
    assert.equal(judged, 8);
  });

  it('carries the EMA across optimization rounds and switches to the aggregator once it qualifies', async () => {
    server.setResponder(responder());
    const context = makeContext(server.url);
    const first = createBcdMethod({ options: { bottomK: 1, minFailures: 2, tau: 0.5, gradients: false } });
    const r1 = await first.credit(context, [failed()]);
    assert.equal(r1.details?.phase, 'A');
    // A new method resumed from the published state behaves like the first one continuing.
    const resumed = createBcdMethod({ options: { bottomK: 1, minFailures: 2, tau: 0.5 }, state: bcdStateFromDetails(r1.details) });
    const r2 = await resumed.credit(context, [failed()]);
    assert.equal(r2.details?.phase, 'B');
    assert.deepEqual(r2.details?.targets, [{ agentId: 'judge', kind: 'aggregator', credit: 0.3, rounds: [1, 2] }]);
    assert.equal(resumed.state.iteration, 2);
    const suggestions = await resumed.suggest(context, r2, [failed()]);
    assert.ok(suggestions.length > 0);
    assert.ok(suggestions.every((s) => s.edit.agentId === 'judge'));
  });

  it('never turns a malformed gradient into a suggestion', async () => {
    server.setResponder(responder({ gradient: () => ({ content: '{"diagnosis": "cut off' }) }));
    const notes: string[] = [];
    const context = makeContext(server.url, notes);
    const method = createBcdMethod({ options: { bottomK: 2 } });
    const report = await method.credit(context, [failed()]);
    assert.deepEqual(report.details?.gradients, []);
    assert.deepEqual(await method.suggest(context, report, [failed()]), []);
    assert.ok(notes.some((n) => n.includes('gradient for') && n.includes('unusable reply')));
  });

  it('drops a critic score that does not fit the schema instead of guessing one', async () => {
    const base = responder();
    const aboutSolver = (req: FakeChatRequest) => req.messages.some((m) => m.content.includes('Contribution of solver'));
    // Both the first reply and the repair are out of range.
    server.setResponder((req) => (systemOf(req).includes('[truce:bcd-critic]') && aboutSolver(req) ? { json: { score: 7, rationale: 'out of range' } } : base(req)));
    const notes: string[] = [];
    const context = makeContext(server.url, notes);
    const report = await createBcdMethod({ options: { gradients: false } }).credit(context, [failed()]);
    const solver = report.signals.find((s) => s.scope === 'agent' && s.ref === 'solver');
    // Without q the peer score alone stands: p = 0.8.
    assert.deepEqual(solver?.parts, { c: 0.8, p: 0.8 });
    assert.ok(notes.some((n) => n.includes('critic of solver')));
  });

  it('without credit asks no critic, peer or aggregator critic, moves no state, and asks every role and aggregator of a failed task for a gradient', async () => {
    const base = responder();
    const seen: FakeChatRequest[] = [];
    server.setResponder((req) => {
      seen.push(req);
      return base(req);
    });
    const notes: string[] = [];
    const context = { ...makeContext(server.url, notes), ablations: { noCredit: true, noUnits: false } };
    const method = createBcdMethod({ options: { bottomK: 1, minFailures: 1 } });
    const report = await method.credit(context, [failed(), solved()]);
    const systems = seen.map(systemOf);
    assert.ok(systems.every((s) => s.includes('[truce:bcd-gradient]')), 'only gradient calls');
    // t1 failed: solver, skeptic and the judge (aggregator) took part; t2 succeeded and is skipped.
    const asked = (report.details?.gradients as Array<{ taskId: string; agentId: string }>).map((g) => `${g.taskId}:${g.agentId}`);
    assert.deepEqual(asked, ['t1:solver', 't1:skeptic', 't1:judge']);
    assert.equal(systems.length, 3);
    for (const req of seen) {
      assert.match(req.lastUser, /No credit is available/);
      assert.doesNotMatch(req.lastUser, /Critic:/);
    }
    assert.equal(method.state.iteration, 0, 'no phase was decided');
    assert.equal(report.details?.phase, undefined);
    assert.ok(report.signals.every((s) => s.scope === 'unit'), 'no agent or round credit');
    const suggestions = await method.suggest(context, report, [failed(), solved()]);
    assert.deepEqual([...new Set(suggestions.map((s) => s.edit.agentId))].sort(), ['judge', 'skeptic', 'solver']);
    // The proposals carry the outcome as their credit: the task failed outright.
    assert.ok(suggestions.every((s) => s.credit === -1));
  });

  it('with credit, records each gradient\'s diagnosis as the agent\'s verbal credit for the task (what a global rewrite is shown)', async () => {
    server.setResponder(responder());
    const context = makeContext(server.url);
    const report = await createBcdMethod({ options: { bottomK: 1, minFailures: 2 } }).credit(context, [failed()]);
    const diagnosis = report.signals.filter((s) => s.scope === 'agent' && s.parts?.gradient === 1);
    assert.equal(diagnosis.length, 1);
    assert.equal(diagnosis[0].ref, 'skeptic');
    assert.match(diagnosis[0].text, /^Textual gradient: The rules let the agent contradict/);
    assert.ok(diagnosis[0].score < 0);
  });

  it('with both ablations asks nothing: the global rewrite sees outcomes only', async () => {
    server.setResponder(responder());
    const context = { ...makeContext(server.url), ablations: { noCredit: true, noUnits: true } };
    const report = await createBcdMethod().credit(context, [failed()]);
    assert.equal(server.chatRequests().length, 0);
    assert.deepEqual(report.signals, []);
  });

  it('rejects suggestions from a report whose gradients were tampered with', async () => {
    const notes: string[] = [];
    const context = makeContext(server.url, notes);
    const out = await createBcdMethod().suggest(context, { method: 'bcd', signals: [], details: { gradients: [{ taskId: 't1' }] } }, []);
    assert.deepEqual(out, []);
    assert.ok(notes.some((n) => n.includes('no readable gradients')));
  });
});
