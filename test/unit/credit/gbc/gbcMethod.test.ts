import { strict as assert } from 'node:assert';
import { createGbcMethod, type GbcTaskGraph } from '../../../../src/core/credit/gbc';
import { start, type FakeChatRequest, type FakeOpenAiServer, type FakeReply } from '../../../support/fakeOpenAiServer';
import { makeHarness } from '../../llm/helpers';
import { makeContext, roundsTrajectory, systemOf } from '../bcd/fixtures';

const LONG_SOLVER = 'a precedes b in the alphabet so option B which reads a is the first letter of all three options given here. Answer: B';
const trajectory = () =>
  roundsTrajectory({
    taskId: 't1',
    reference: 'B',
    success: false,
    rounds: [
      { solver: LONG_SOLVER, skeptic: 'Answer: A', judge: 'Majority so far is A because the skeptic argued for it and the solver was outvoted' },
      { solver: `Still. ${LONG_SOLVER}`, skeptic: 'Answer: A', judge: 'Final: A' },
    ],
  });

function ruleIds(text: string): string[] {
  return [...text.matchAll(/^- \[([^\]]+)\](?! \(LOCKED\))/gm)].map((m) => m[1]);
}

/**
 * Agent calls echo their user message, so removing a block changes the output in proportion to the
 * block's length: the solver's long blocks weigh most. Optimizer calls are recognised by marker.
 */
function responder(overrides: { suggest?: (req: FakeChatRequest) => FakeReply; influence?: (req: FakeChatRequest) => FakeReply } = {}) {
  return (req: FakeChatRequest): FakeReply => {
    const system = systemOf(req);
    if (system.includes('[truce:gbc-suggest]')) {
      if (overrides.suggest) return overrides.suggest(req);
      const ids = ruleIds(req.lastUser);
      return {
        json: {
          analysis: 'The rule lets the majority win over evidence.',
          edits: [
            { op: 'MODIFY', targetUnitId: ids[0], newText: 'Prefer the answer with the strongest evidence over the majority.', rationale: 'evidence first' },
            { op: 'MODIFY', targetUnitId: 'invented-id', newText: 'x', rationale: 'bad id' },
          ],
        },
      };
    }
    if (system.includes('[truce:gbc-influence]')) {
      if (overrides.influence) return overrides.influence(req);
      const blocks = [...req.lastUser.matchAll(/^### Block (\S+) \(from/gm)].map((m) => m[1]);
      return { json: { blocks: blocks.map((blockId) => ({ blockId, influence: blockId.endsWith('solver') ? 0.9 : 0.2, rationale: 'r' })) } };
    }
    return { content: req.lastUser.replace(/^## Task[\s\S]*?\n\n(?=##)/, '') };
  };
}

describe('gbc method end to end', function () {
  this.timeout(20_000);
  let server: FakeOpenAiServer;
  before(async () => (server = await start()));
  after(() => server.close());
  beforeEach(() => server.reset());

  it('builds the attribution graph by ablation and asks only agents on its paths for edits', async () => {
    server.setResponder(responder());
    const notes: string[] = [];
    const context = makeContext(server.url, notes);
    const executor = makeHarness({ baseUrl: server.url }).client;
    const method = createGbcMethod({ executor, options: { topK: 1 } });
    const report = await method.credit(context, [trajectory()]);
    const graph = (report.details?.graph as Record<string, GbcTaskGraph>).t1;

    const kept = graph.edges.filter((e) => e.kept).map((e) => `${e.from}->${e.to}`).sort();
    assert.deepEqual(kept, ['r1.agg->r2.solver', 'r1.solver->r1.agg', 'r2.agg->final', 'r2.solver->r2.agg']);
    assert.ok(graph.edges.filter((e) => e.kept).every((e) => e.source === 'ablation' && (e.weight as number) > 0));
    // The skeptic's block changes less of the echo than the solver's.
    const w = (from: string, to: string) => graph.edges.find((e) => e.from === from && e.to === to)?.weight as number;
    assert.ok(w('r2.solver', 'r2.agg') > w('r2.skeptic', 'r2.agg'));
    assert.deepEqual(graph.paths.map((p) => p.steps), [['r1.solver', 'r1.agg', 'r2.solver', 'r2.agg', 'final']]);
    assert.equal(graph.loss.magnitude, 1);
    assert.deepEqual(report.details?.blame, { t1: { agent: 'judge', stepId: 'r2.agg' } });
    assert.deepEqual(report.details?.updateFrequency, { judge: 1, skeptic: 0, solver: 1 });
    assert.deepEqual(
      report.signals.filter((s) => s.scope === 'agent').map((s) => s.ref).sort(),
      ['judge', 'solver'],
    );
    assert.ok(report.signals.filter((s) => s.scope === 'edge').every((s) => s.score <= 0 && s.evidence.length === 2));

    server.reset();
    const suggestions = await method.suggest(context, report, [trajectory()]);
    const asked = server.chatRequests().length;
    assert.equal(asked, 2, 'one suggestion call per agent on the path');
    assert.deepEqual(suggestions.map((s) => s.edit.agentId).sort(), ['judge', 'solver']);
    assert.ok(suggestions.every((s) => s.edit.op === 'MODIFY' && s.method === 'gbc' && s.credit < 0));
    assert.ok(notes.some((n) => n.includes('invented-id')));
    const judge = suggestions.find((s) => s.edit.agentId === 'judge');
    assert.deepEqual(judge?.evidence, [{ taskId: 't1', stepIds: ['r1.agg', 'r2.agg', 'final'] }]);
  });

  it('rates steps without recorded input with the judge', async () => {
    server.setResponder(responder());
    const context = makeContext(server.url);
    const t = trajectory();
    for (const s of t.steps) delete s.input;
    const report = await createGbcMethod({ options: { topK: 2 } }).credit(context, [t]);
    const graph = (report.details?.graph as Record<string, GbcTaskGraph>).t1;
    const kept = graph.edges.filter((e) => e.kept);
    assert.ok(kept.length > 0);
    assert.ok(kept.every((e) => e.source === 'judge'));
    const intoAgg = kept.filter((e) => e.to === 'r2.agg').map((e) => e.from);
    assert.ok(intoAgg.includes('r2.solver'));
    assert.equal(intoAgg.length, 2);
  });

  it('keeps a node connected with unknown weights when the judge reply is unusable', async () => {
    server.setResponder(responder({ influence: () => ({ content: 'no json here' }) }));
    const notes: string[] = [];
    const context = makeContext(server.url, notes);
    const report = await createGbcMethod({ options: { estimator: 'judge', topK: 1 } }).credit(context, [trajectory()]);
    const graph = (report.details?.graph as Record<string, GbcTaskGraph>).t1;
    assert.ok(graph.edges.filter((e) => e.kept).every((e) => e.weight === null && e.source === 'none'));
    assert.ok(graph.paths.length > 0);
    assert.ok(notes.some((n) => n.includes('unusable reply')));
  });

  it('never turns a malformed suggestion reply into a suggestion', async () => {
    server.setResponder(responder({ suggest: () => ({ json: { analysis: 'x', edits: [{ op: 'REWRITE', rationale: 'not an op' }] } }) }));
    const notes: string[] = [];
    const context = makeContext(server.url, notes);
    const method = createGbcMethod({ options: { estimator: 'judge' } });
    const report = await method.credit(context, [trajectory()]);
    assert.deepEqual(await method.suggest(context, report, [trajectory()]), []);
    assert.ok(notes.some((n) => n.includes('unusable suggestion reply')));
  });

  it('suggests nothing for a task that succeeded', async () => {
    server.setResponder(responder());
    const context = makeContext(server.url);
    const t = trajectory();
    t.outcome = { score: 1, success: true, details: {} };
    const method = createGbcMethod({ options: { estimator: 'judge' } });
    const report = await method.credit(context, [t]);
    server.reset();
    assert.deepEqual(await method.suggest(context, report, [t]), []);
    assert.equal(server.chatRequests().length, 0);
    assert.deepEqual(report.details?.updateFrequency, { judge: 0, skeptic: 0, solver: 0 });
  });
});
