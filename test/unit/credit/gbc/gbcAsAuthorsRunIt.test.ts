/**
 * GBC as its authors run it: one predecessor per node, all edges kept when the weights cannot
 * tell them apart and at the loss node, the uniform-weights ablation, and an agent's edit history
 * in the suggestion prompt.
 */
import { strict as assert } from 'node:assert';
import { createGbcMethod, type GbcTaskGraph } from '../../../../src/core/credit/gbc';
import { resolveGbcOptions } from '../../../../src/core/credit/gbc/options';
import { gbcSuggestMessages } from '../../../../src/core/credit/gbc/prompts/gbcSuggest';
import { selectTopPredecessors } from '../../../../src/core/credit/gbc/topK';
import { seededRandom } from '../../../../src/core/optimize/random';
import { start, type FakeOpenAiServer } from '../../../support/fakeOpenAiServer';
import { makeContext, roundsTrajectory, systemOf } from '../bcd/fixtures';

describe('GBC as its authors run it', function () {
  this.timeout(20_000);

  it('keeps one predecessor by default, and every one when their weights are all the same', () => {
    assert.equal(resolveGbcOptions().topK, 1);
    const random = seededRandom(1);
    assert.deepEqual(selectTopPredecessors([{ from: 'a', weight: 0.2 }, { from: 'b', weight: 0.9 }], 1, random).map((p) => p.from), ['b']);
    assert.deepEqual(selectTopPredecessors([{ from: 'a', weight: 0.5 }, { from: 'b', weight: 0.5 }, { from: 'c', weight: 0.5 }], 1, random).map((p) => p.from), ['a', 'b', 'c']);
    assert.deepEqual(selectTopPredecessors([{ from: 'a', weight: null }, { from: 'b', weight: null }], 1, random).map((p) => p.from), ['a', 'b']);
  });

  describe('against the fake server', () => {
    let server: FakeOpenAiServer;
    let influenceCalls = 0;
    let suggestPrompts: string[] = [];
    before(async () => {
      server = await start({
        responder: (req) => {
          const system = systemOf(req);
          if (req.jsonSchema?.name === 'truce_probe') return { json: { ok: true } };
          if (system.includes('[truce:gbc-influence]')) {
            influenceCalls++;
            const blocks = [...req.lastUser.matchAll(/^### Block (\S+) \(from/gm)].map((m) => m[1]);
            return { json: { blocks: blocks.map((blockId, i) => ({ blockId, influence: 0.9 - 0.3 * i, rationale: 'r' })) } };
          }
          if (system.includes('[truce:gbc-suggest]')) {
            suggestPrompts.push(req.lastUser);
            return { json: { analysis: 'nothing to change', edits: [] } };
          }
          return { content: 'unexpected' };
        },
      });
    });
    after(() => server?.close());

    const trajectory = () =>
      roundsTrajectory({ taskId: 't1', reference: 'B', success: false, rounds: [{ solver: 'Answer: B', skeptic: 'Answer: A', judge: 'A' }, { solver: 'Answer: B', skeptic: 'Answer: A', judge: 'Final: A' }] });

    it('keeps every input of the loss node, and one input elsewhere', async () => {
      // The final answer reads the last state and both last contributions: three inputs of unequal weight.
      const t = trajectory();
      const final = t.steps.find((x) => x.id === 'final')!;
      final.reads = ['r2.agg', 'r2.solver', 'r2.skeptic'];
      const report = await createGbcMethod({ options: { estimator: 'judge' } }).credit(makeContext(server.url), [t]);
      const g = (report.details?.graph as Record<string, GbcTaskGraph>).t1!;
      const into = (id: string) => g.edges.filter((e) => e.to === id);
      assert.ok(into(g.final).length > 1);
      assert.ok(into(g.final).every((e) => e.kept), 'the loss node keeps all its inputs');
      for (const node of g.nodes.filter((n) => n.id !== g.final && into(n.id).length > 1)) {
        assert.equal(into(node.id).filter((e) => e.kept).length, 1, `${node.id} keeps one input`);
      }
    });

    it('--uniform-weights: no estimator call, every edge kept with an equal share', async () => {
      influenceCalls = 0;
      const report = await createGbcMethod({ options: { uniformWeights: true } }).credit(makeContext(server.url), [trajectory()]);
      const g = (report.details?.graph as Record<string, GbcTaskGraph>).t1!;
      assert.equal(influenceCalls, 0);
      const reached = g.edges.filter((e) => e.kept);
      assert.ok(reached.length > 0 && reached.every((e) => e.source === 'uniform'));
      for (const e of reached) assert.equal(e.weight, 1 / g.edges.filter((x) => x.to === e.to).length);
    });

    it('shows the agent its own earlier edits and what validation said, never another agent\'s', async () => {
      suggestPrompts = [];
      const context = makeContext(server.url);
      context.history = [
        { round: 1, agentId: 'solver', op: 'ADD', newText: 'Always agree with the majority.', status: 'rejected', reason: 'The candidate with this edit was not accepted: No validation gain on 8 tasks.' },
        { round: 1, agentId: 'skeptic', op: 'ADD', newText: 'A skeptic-only edit.', status: 'accepted' },
      ];
      const method = createGbcMethod({ options: { estimator: 'judge' } });
      const t = trajectory();
      const report = await method.credit(context, [t]);
      await method.suggest(context, report, [t]);
      const solver = suggestPrompts.find((p) => /^## Rules of solver/m.test(p));
      assert.ok(solver, 'the solver was asked');
      assert.match(solver, /## Earlier edits of solver in this optimization\n\n- round 1: ADD "Always agree with the majority\." — rejected: The candidate with this edit was not accepted/);
      assert.doesNotMatch(solver, /skeptic-only/);
    });
  });

  it('leaves the history out of the prompt when there is none', () => {
    const [, user] = gbcSuggestMessages({ task: 't', agentId: 'a', loss: 'l', chain: [], units: [], maxEdits: 2 });
    assert.doesNotMatch(user!.content as string, /Earlier edits/);
  });
});
