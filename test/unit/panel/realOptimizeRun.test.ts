import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { optimize, type OptimizeResult, type RoundRecord } from '../../../src/core/optimize/optimizeLoop';
import { methodRegistry } from '../../../src/core/methods';
import { RunViewCache } from '../../../src/extension/panel/runViewCache';
import { ResultSchemas } from '../../../src/shared/panelProtocol';
import type { FakeChatRequest } from '../../support/fakeOpenAiServer';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { optimizerResponder, optimizerWorkspace, PLANTED } from '../optimize/optimizeWorld';
import type { Workspace } from '../run/debateWorkspace';

/** The optimize world's responder, plus GBC's suggestion step: the planted rule for the judge, nothing for the others. */
function gbcResponder() {
  const base = optimizerResponder('needs-rule');
  return (request: FakeChatRequest) => {
    const system = request.messages.find((m) => m.role === 'system')?.content ?? '';
    if (!system.includes('[truce:gbc-suggest]')) return base(request);
    const edits = system.includes('outputs of agent judge') ? [{ op: 'ADD', newText: PLANTED, rationale: 'The judge never checked the arithmetic.' }] : [];
    return { json: { analysis: 'traced back from the final answer', edits } };
  };
}

describe('the panel over a run written by the real optimizer (GBC, fake server)', function () {
  // One whole optimize run: a few hundred fake calls.
  this.timeout(60_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;
  let result: OptimizeResult;
  let cache: RunViewCache;

  before(async () => {
    server = await start({ responder: gbcResponder() });
    ws = optimizerWorkspace(server.url);
    result = await optimize({ config: ws.config(), workspaceRoot: ws.dir, methods: methodRegistry(), trusted: true, env: {}, rounds: 1, batchSize: 2, topK: 2, method: 'gbc' });
    cache = new RunViewCache(ws.dir);
  });
  after(async () => {
    await server?.close();
    ws?.remove();
  });

  it('lists the optimize run first, with method, status and val/test before → after, then the runs it started', async () => {
    assert.equal(result.status, 'completed');
    const runs = await cache.list();
    assert.ok(ResultSchemas.runs.safeParse({ runs }).success);
    const [first, ...rest] = runs;
    assert.deepEqual(
      first && { runId: first.runId, kind: first.kind, method: first.method, state: first.state, val: first.val, test: first.test },
      { runId: result.runId, kind: 'optimize', method: 'gbc', state: 'completed', val: { before: result.val.before, after: result.val.after }, test: result.test },
    );
    assert.equal(rest.length, runs.length - 1);
    assert.ok(rest.every((r) => r.kind === 'run' && r.parent?.runId === result.runId));
  });

  it('reads every file of the run without a problem and shows the tasks of its sub-runs with their shift', async () => {
    const view = await cache.view(result.runId);
    const page = view.tasks(0, 500);
    assert.deepEqual(page.problems, []);
    assert.ok(ResultSchemas.tasks.safeParse(page).success);
    const record = result.rounds[0] as RoundRecord;
    const val = Object.keys(record.bestVal);
    assert.deepEqual(page.rows.filter((r) => r.split === 'train').map((r) => r.taskId).sort(), [...record.batch].sort());
    // The paired gate runs each set on the val tasks its decisions need; every one of them is listed.
    const valRows = page.rows.filter((r) => r.split === 'val').map((r) => r.taskId);
    assert.ok(val.length > 0 && val.every((id) => valRows.includes(id)), `${val.join()} not all among ${valRows.join()}`);
    assert.equal(new Set(valRows).size, result.val.tasks, 'every val task both sets ran is listed');
    // The judge fails without the planted rule and passes with it: every val and test task is fixed.
    const judged = page.rows.filter((r) => r.split !== 'train');
    assert.ok(judged.length > val.length, 'test tasks are listed too');
    assert.ok(judged.every((r) => r.shift === 'fail-pass' && r.outcome?.success === true), JSON.stringify(judged));
    assert.deepEqual(page.shift, { 'pass-pass': 0, 'fail-pass': judged.length, 'pass-fail': 0, 'fail-fail': 0 });
  });

  it('shows the round, the accepted suggestion with its support and reason, and the spend of every phase', async () => {
    const view = await cache.view(result.runId);
    const record = result.rounds[0] as RoundRecord;
    const history = view.history(0, 50);
    assert.ok(ResultSchemas.history.safeParse(history).success);
    assert.deepEqual(history.rounds, [{ round: 1, phase: null, train: record.trainScore, val: 1, candidate: 1, accepted: true, reason: record.decision?.reason ?? null }]);
    const accepted = history.suggestions.filter((s) => s.status === 'accepted');
    assert.equal(accepted.length, result.accepted.length);
    assert.ok(accepted.length > 0);
    assert.deepEqual(
      accepted.map((s) => [s.op, s.agentId, s.support, s.round]),
      result.accepted.map((s) => [s.op, s.agentId, s.support, 1]),
    );
    assert.ok(accepted.every((s) => s.reason && s.rationale));
    const usage = Object.entries(record.usage);
    assert.deepEqual(
      history.spend.map((p) => [p.phase, p.calls, p.tokens]),
      usage.map(([phase, u]) => [phase, u.calls, u.inputTokens + u.outputTokens]),
    );
    assert.ok(history.spend.some((p) => p.phase === 'credit' && p.calls > 0));
  });

  it('draws the GBC graph of credit.json on the task it belongs to, and colours that task\'s grid with its credit', async () => {
    const view = await cache.view(result.runId);
    const report = JSON.parse(readFileSync(join(result.dir, 'credit.json'), 'utf8')) as { details: { graph: Record<string, { nodes: unknown[]; edges: unknown[]; paths: Array<{ steps: string[] }> }> } };
    const graphed = Object.keys(report.details.graph);
    assert.ok(graphed.length > 0);
    for (const taskId of graphed) {
      const stored = report.details.graph[taskId]!;
      const { graph } = view.graph(taskId);
      assert.ok(graph, `task ${taskId} has its graph`);
      assert.equal(graph.nodes.length, stored.nodes.length);
      assert.equal(graph.edges.length, stored.edges.length);
      assert.deepEqual(graph.paths, stored.paths.map((p) => [...p.steps].reverse()));
      const grid = view.grid(taskId, 0, 50);
      assert.ok(grid.rows.some((r) => r.cells.some((c) => c.credit !== null)), 'credit.jsonl signals reach the grid');
    }
  });
});
