import { strict as assert } from 'node:assert';
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ResultSchemas } from '../../../src/shared/panelProtocol';
import { PanelLookupError } from '../../../src/shared/panel/panelRun';
import { answerRunRequest } from '../../../src/shared/panel/runView';
import { FIRST_CHUNK } from '../../../src/shared/panel/stepDetail';
import { loadView, panelRun, RUN_ID } from './loadPanelRun';

describe('RunView over a stored run', () => {
  let fixture: Awaited<ReturnType<typeof panelRun>>;
  before(async () => (fixture = await panelRun({ tasks: 5, rounds: 3 })));
  after(() => fixture.remove());

  it('lists the tasks of the optimize run\'s sub-runs by split, with outcome, size and shift, one page at a time', () => {
    const page = fixture.view.tasks(2, 3);
    assert.equal(page.total, 5);
    assert.equal(page.offset, 2);
    // Train tasks from the rollouts, then val, then test. Val/test tasks show the best prompts'
    // run: task-3 passes there (the rejected candidate of round 2, where it failed, is not shown).
    assert.deepEqual(page.rows.map((r) => [r.taskId, r.split, r.outcome?.success, r.steps]), [
      ['task-5', 'train', true, 9],
      ['task-3', 'val', true, 9],
      ['task-4', 'test', false, 9],
    ]);
    // before: i % 3 === 0 (initial prompts), after: i % 2 === 0 (best) → task-3 (i=2) fixed, task-4 (i=3) broken.
    assert.deepEqual(page.rows.map((r) => r.shift), [null, 'fail-pass', 'pass-fail']);
    assert.deepEqual(page.shift, { 'pass-pass': 0, 'fail-pass': 1, 'pass-fail': 1, 'fail-fail': 0 });
    assert.deepEqual(page.problems, []);
    assert.ok(ResultSchemas.tasks.safeParse(page).success, 'the page fits the protocol');
  });

  it('returns the page that holds a task asked for with `around`', () => {
    const page = fixture.view.tasks(0, 2, 'task-4');
    assert.equal(page.offset, 4);
    assert.deepEqual(page.rows.map((r) => r.taskId), ['task-4']);
    assert.throws(() => fixture.view.tasks(0, 2, 'nope'), PanelLookupError);
  });

  it('lays out rounds × agents with step ids, tokens and credit, paged by round', () => {
    const page = fixture.view.grid('task-1', 1, 5);
    assert.equal(page.totalRounds, 3);
    assert.deepEqual(page.agents.map((a) => a.id), ['planner', 'researcher', 'critic']);
    assert.deepEqual(page.rows.map((r) => r.round), [1, 2]);
    const cell = page.rows[0]?.cells[1];
    assert.deepEqual(cell?.stepIds, ['s5']);
    assert.equal(cell?.tokens, 104 + 24);
    assert.equal(typeof cell?.credit, 'number', 'agent credit that cites s5 colours the cell');
    assert.equal(page.rows[0]?.credit, -0.3, 'round-scope credit goes on the row');
    assert.ok(ResultSchemas.grid.safeParse(page).success);
  });

  it('gives a step its messages, the first chunk of its output, reads, usage and the units its credit implicates', () => {
    const step = fixture.view.step('task-1', 's1');
    assert.deepEqual(step.messages.map((m) => m.role), ['system', 'user']);
    assert.equal(step.output.text.length, FIRST_CHUNK);
    assert.ok(step.output.total > FIRST_CHUNK);
    assert.deepEqual(step.units.map((u) => u.unitId), ['planner.aaaaaaaaaa']);
    assert.equal(step.gridRow, 0);
    assert.equal(step.durationMs, 750);
    const later = fixture.view.step('task-1', 's7');
    assert.deepEqual(later.reads, ['s4']);
    assert.equal(later.gridRow, 2);
    assert.ok(ResultSchemas.step.safeParse(step).success);
  });

  it('pages the rest of a long text and refuses a message that does not exist', () => {
    const first = fixture.view.step('task-1', 's1').output;
    const rest = fixture.view.text({ kind: 'text', runId: RUN_ID, taskId: 'task-1', stepId: 's1', part: 'output', offset: first.text.length, length: 100_000 });
    assert.equal(first.text + rest.text, fixture.view.text({ kind: 'text', runId: RUN_ID, taskId: 'task-1', stepId: 's1', part: 'output', offset: 0, length: 100_000 }).text);
    assert.equal(rest.total, first.total);
    assert.throws(() => fixture.view.text({ kind: 'text', runId: RUN_ID, taskId: 'task-1', stepId: 's1', part: { message: 9 }, offset: 0, length: 10 }), PanelLookupError);
  });

  it('reports optimization rounds, spend per phase from the rounds\' usage, and paged suggestions', () => {
    const history = fixture.view.history(1, 1);
    assert.equal(history.available, true);
    assert.deepEqual(history.rounds.map((r) => [r.round, r.train, r.val, r.candidate, r.accepted]), [
      [1, 0.4, 1, 1, true],
      [2, 0.6, 1, 0, false],
    ]);
    assert.equal(history.rounds[1]?.reason, 'val fell by 0.05', 'the decision\'s reason is read');
    const rollout = history.spend.find((p) => p.phase === 'rollout');
    assert.deepEqual(rollout && [rollout.calls, rollout.tokens], [48, 18150], 'input and output tokens summed over rounds');
    assert.deepEqual(history.spend.map((p) => p.phase), ['rollout', 'credit', 'suggest', 'validation']);
    assert.equal(history.totalSuggestions, 3);
    assert.deepEqual(history.suggestions.map((s) => [s.id, s.status, s.op, s.reason]), [['sug-2', 'rejected', 'ADD', 'support below the threshold']]);
    assert.ok(ResultSchemas.history.safeParse(history).success);
  });

  it('returns the GBC graph of credit.json with its paths from the final node back, and none for a task without one', () => {
    const { graph } = fixture.view.graph('task-1');
    assert.ok(graph);
    assert.equal(graph.nodes.length, 9);
    assert.deepEqual(graph.nodes[0], { id: 's1', label: 'planner · s1', agentId: 'planner' });
    assert.deepEqual(graph.paths, [['s9', 's8', 's6']]);
    assert.equal(graph.edges.find((e) => e.from === 's1' && e.to === 's3')?.weight, 0, 'a weight GBC did not estimate draws as 0');
    assert.equal(fixture.view.graph('task-2').graph, null);
  });

  it('answers through the dispatcher and turns unknown tasks and steps into lookup errors', () => {
    const page = answerRunRequest(fixture.view, { kind: 'grid', runId: RUN_ID, taskId: 'task-2', offset: 0, limit: 1 });
    assert.ok(ResultSchemas.grid.safeParse(page).success);
    assert.throws(() => fixture.view.grid('missing', 0, 1), PanelLookupError);
    assert.throws(() => fixture.view.step('task-1', 'missing'), PanelLookupError);
  });
});

describe('RunView without the optional files', () => {
  it('shows tasks and grid, no shift, no history, no graph, no credit', async () => {
    const fixture = await panelRun({ credit: false, optimize: false });
    try {
      const tasks = fixture.view.tasks(0, 10);
      assert.equal(tasks.shift, null);
      assert.ok(tasks.rows.every((r) => r.shift === null));
      assert.equal(fixture.view.history(0, 10).available, false);
      assert.equal(fixture.view.graph('task-1').graph, null);
      assert.ok(fixture.view.grid('task-1', 0, 10).rows.every((r) => r.credit === null && r.cells.every((c) => c.credit === null)));
    } finally {
      fixture.remove();
    }
  });

  it('reports unreadable lines of the optional files as problems instead of failing', async () => {
    const fixture = await panelRun({ optimize: false, tasks: 1 });
    try {
      rmSync(join(fixture.dir, 'credit.jsonl'));
      appendFileSync(join(fixture.dir, 'credit.jsonl'), '{"scope":"galaxy"}\nnot json\n');
      appendFileSync(join(fixture.dir, 'optimize.jsonl'), '{"round":"one"}\n');
      const problems = (await loadView(fixture.workspace)).tasks(0, 1).problems;
      assert.equal(problems.length, 3, problems.join('\n'));
      assert.match(problems.join('\n'), /credit\.jsonl:1: neither a credit signal/);
      assert.match(problems.join('\n'), /credit\.jsonl:2: invalid JSON/);
      assert.match(problems.join('\n'), /optimize\.jsonl:1: not an optimize round record/);
    } finally {
      fixture.remove();
    }
  });
});
