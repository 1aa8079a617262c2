import { strict as assert } from 'node:assert';
import type { MasRunContext, MasRunFailure, MasRunner, MasRunResult } from '../../../src/core/mas';
import { defaultMasBackend, runMas, type MasBackend } from '../../../src/core/run';
import { loadRun } from '../../../src/core/store';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { debateWorkspace, exampleTasks, type Workspace } from './debateWorkspace';

const TASKS = exampleTasks();

/** A one-call MAS whose behaviour per task is scripted, to reach the engine's failure paths. */
class ScriptedMas implements MasRunner {
  readonly kind = 'rounds' as const;
  async run(context: MasRunContext): Promise<MasRunResult | MasRunFailure> {
    const { task } = context;
    const base = { runId: context.runId, taskId: task.id, agents: [{ id: 'solo' }], rounds: [{ index: 1 }], usage: { in: 0, out: 0 } };
    if (task.id === 'q01') return { failed: true, reason: 'the tool crashed', partial: { ...base, steps: [] } };
    if (task.id === 'q02') throw new Error('runner bug');
    if (task.id === 'q03') {
      // A step that reads a step that does not exist: the engine must not store this as valid.
      return { answer: 'A', trajectory: { ...base, steps: [{ id: 's1', seq: 0, round: 1, agentId: 'solo', kind: 'llm', output: 'A', reads: ['ghost'], usage: { in: 0, out: 0 }, attrs: {} }] } };
    }
    const reply = await context.executor!.chat({ messages: [{ role: 'user', content: task.input }] }, { phase: 'rollout', agent: 'solo', ...(context.signal ? { signal: context.signal } : {}) });
    const step = { id: 's1', seq: 0, round: 1, agentId: 'solo', kind: 'llm' as const, output: reply.content, reads: [], usage: { in: reply.usage.inputTokens, out: reply.usage.outputTokens }, attrs: {} };
    return { answer: reply.content, trajectory: { ...base, steps: [step] } };
  }
}

const scripted: MasBackend = { loadPromptSet: defaultMasBackend.loadPromptSet, createRunner: () => new ScriptedMas() };

describe('runMas with failing tasks and a judge evaluator', function () {
  // Whole runs of 20 tasks; a loaded machine can need more than mocha's default 2 s.
  this.timeout(30_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;
  afterEach(async () => {
    await server.close();
    ws.remove();
  });

  it('records MAS failures, runner exceptions and invalid trajectories as scored failures with reasons', async () => {
    server = await start({ responder: (r) => `Final answer: ${TASKS.find((t) => t.input === r.lastUser)?.reference ?? 'A'}` });
    ws = debateWorkspace(server.url);
    const result = await runMas({ config: ws.config(), workspaceRoot: ws.dir, trusted: true, env: {}, mas: scripted });
    assert.equal(result.status, 'completed');
    assert.equal(result.summary.tasks.finished, 20);
    assert.equal(result.summary.tasks.failed, 3);
    const reasons = Object.fromEntries(result.summary.failures.map((f) => [f.taskId, f.reason]));
    assert.equal(reasons.q01, 'the tool crashed');
    assert.equal(reasons.q02, 'The MAS stopped with an error: runner bug');
    assert.match(reasons.q03 ?? '', /^The MAS returned an invalid trajectory: .*ghost/);
    const run = await loadRun(ws.dir, result.runId);
    assert.deepEqual(run.problems, [], 'everything stored validates');
    for (const id of ['q01', 'q02', 'q03']) {
      const t = run.trajectories.find((x) => x.taskId === id)!;
      assert.deepEqual([t.outcome?.score, t.outcome?.success, t.outcome?.details.failed], [0, false, true]);
    }
    assert.equal(run.journal.filter((e) => e.event === 'task-failed').length, 3);
    assert.equal(result.summary.scores.all.meanScore, 17 / 20);
  });

  it('scores with an LLM judge through the judge endpoint, accounted under phase "judge"', async () => {
    server = await start({
      responder: (r) => {
        if (r.jsonSchema?.name === 'truce_probe') return { json: { ok: true } };
        if (r.jsonSchema) return { json: { reasoning: 'matches the reference', score: 0.9 } };
        return 'Final answer: B';
      },
    });
    ws = debateWorkspace(server.url, (y) => y.replace(/evaluator:\n  type: choice\n  letters: ABCD/, 'evaluator:\n  type: llm-judge\n  rubric: Is the answer the expected option?'));
    const result = await runMas({ config: ws.config(), workspaceRoot: ws.dir, trusted: true, env: {}, mas: scripted, limit: 6 });
    assert.equal(result.status, 'completed');
    const judged = result.summary.usage.byPhase.judge;
    assert.ok(judged, 'judge phase accounted');
    // q01–q03 fail before evaluation; the other three are judged once each (plus the capability probe).
    assert.equal(judged.calls, 3);
    const run = await loadRun(ws.dir, result.runId);
    const scoredOk = run.trajectories.filter((t) => t.outcome?.details.evaluator === 'llm-judge');
    assert.equal(scoredOk.length, 3);
    assert.ok(scoredOk.every((t) => t.outcome?.score === 0.9 && t.outcome.success));
    assert.ok(run.calls.some((c) => c.role === 'judge' && c.phase === 'judge' && c.taskId !== undefined));
  });

  it('refuses a command evaluator in an untrusted workspace before anything runs', async () => {
    server = await start();
    ws = debateWorkspace(server.url, (y) => y.replace(/evaluator:\n  type: choice\n  letters: ABCD/, 'evaluator:\n  type: command\n  argv: [node, check.js]'));
    await assert.rejects(runMas({ config: ws.config(), workspaceRoot: ws.dir, trusted: false, env: {} }), /not trusted/);
    assert.equal(server.chatRequests().length, 0);
  });
});
