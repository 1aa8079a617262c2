import { strict as assert } from 'node:assert';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importFilesToFolder, isFailedImport } from '../../../src/core/trajectory/importToFolder';
import { RunViewCache } from '../../../src/extension/panel/runViewCache';
import { ResultSchemas, type RunItem } from '../../../src/shared/panelProtocol';
import { PanelLookupError } from '../../../src/shared/panel/panelRun';
import { requireSharedFixtures } from '../../support/sharedFixtures';
import { tempDir } from '../llm/helpers';

const IMPORTS = '.truce/imports';

/** A hand-crafted (Magentic-One) Who&When log: two rounds, the surfer's first answer labelled. */
const LOG = {
  question: 'How many moons?',
  ground_truth: '42',
  question_ID: 'q-1',
  mistake_agent: 'WebSurfer',
  mistake_step: '3',
  mistake_reason: 'Clicked the wrong link and <b>trusted</b> it.',
  history: [
    { role: 'human', content: 'How many moons?' },
    { role: 'Orchestrator (thought)', content: 'Plan: search.' },
    { role: 'Orchestrator (-> WebSurfer)', content: 'Search for the count.' },
    { role: 'WebSurfer', content: 'I clicked a link; it says 41.' },
    { role: 'Orchestrator (thought)', content: 'Check it.' },
    { role: 'Orchestrator (-> WebSurfer)', content: 'Search again.' },
    { role: 'WebSurfer', content: 'Found 41 again.' },
  ],
};

/** Runs the real importer (the one `truce import` runs) into the workspace's imports folder. */
async function importInto(workspace: string, file: string): Promise<string> {
  const [report] = await importFilesToFolder([file], { cwd: workspace, format: 'auto', outDir: IMPORTS });
  assert.ok(report && !isFailedImport(report) && report.output, `import of ${file} failed: ${JSON.stringify(report)}`);
  return join(workspace, report.output);
}

function importItem(runs: RunItem[], fileName: string): RunItem {
  const item = runs.find((r) => r.runId === `import:${fileName}`);
  assert.ok(item, `the picker lists ${fileName}: ${JSON.stringify(runs.map((r) => r.runId))}`);
  return item;
}

describe('the panel over imported trajectories (.truce/imports/*.trajectories.jsonl)', () => {
  let ws: ReturnType<typeof tempDir>;
  beforeEach(() => (ws = tempDir('panel-import')));
  afterEach(() => ws.remove());

  it('lists an imported Who&When log as a run of kind "import" with its task, steps, rounds and label', async () => {
    const source = join(ws.path, 'moons.json');
    writeFileSync(source, JSON.stringify(LOG));
    await importInto(ws.path, source);
    const cache = new RunViewCache(ws.path);

    const runs = await cache.list();
    assert.ok(ResultSchemas.runs.safeParse({ runs }).success);
    const item = importItem(runs, 'moons.trajectories.jsonl');
    assert.deepEqual({ kind: item.kind, state: item.state, tasks: item.tasks }, { kind: 'import', state: 'imported', tasks: 1 });

    const view = await cache.view(item.runId);
    const page = view.tasks(0, 50);
    assert.ok(ResultSchemas.tasks.safeParse(page).success);
    assert.deepEqual(page.problems, []);
    assert.deepEqual(page.rows, [
      {
        taskId: 'q-1',
        split: null,
        outcome: { score: 0, success: false },
        recorded: true,
        steps: 7,
        tokens: 0,
        shift: null,
        mistake: { agentId: 'WebSurfer', stepId: 's3', reason: LOG.mistake_reason },
      },
    ]);

    // Rounds are the importer's: a new round starts when the orchestrator speaks after the surfer.
    const grid = view.grid('q-1', 0, 50);
    assert.ok(ResultSchemas.grid.safeParse(grid).success);
    assert.deepEqual(grid.agents.map((a) => a.id), ['human', 'Orchestrator', 'WebSurfer']);
    assert.deepEqual(
      grid.rows.map((r) => [r.round, r.cells.map((c) => c.stepIds)]),
      [
        [0, [['s0'], ['s1', 's2'], ['s3']]],
        [1, [[], ['s4', 's5'], ['s6']]],
      ],
    );
    assert.deepEqual(grid.mistake, { agentId: 'WebSurfer', stepId: 's3', reason: LOG.mistake_reason });
    assert.equal(grid.input, 'How many moons?');

    const blamed = view.step('q-1', 's3');
    assert.ok(ResultSchemas.step.safeParse(blamed).success);
    assert.deepEqual(blamed.mistake, { step: true, agent: true, reason: LOG.mistake_reason });
    assert.equal(blamed.output.text, 'I clicked a link; it says 41.');
    assert.deepEqual(blamed.reads, ['s2']);
    assert.equal(view.step('q-1', 's6').mistake?.step, false, 'a later step of the labelled agent is marked as the agent\'s, not as the mistake');
    assert.equal(view.step('q-1', 's6').mistake?.agent, true);
    assert.equal(view.step('q-1', 's4').mistake, null, 'other agents\' steps carry no label');
    assert.equal(view.step('q-1', 's6').gridRow, 1);

    // No credit was computed for an import: the graph request answers, with no graph.
    const graph = view.graph('q-1');
    assert.ok(ResultSchemas.graph.safeParse(graph).success);
    assert.equal(graph.graph, null);
    assert.deepEqual(await cache.promptFiles(item.runId), []);
  });

  it('lists a bad line and a repeated task as problems and still shows every valid trajectory', async () => {
    const source = join(ws.path, 'moons.json');
    writeFileSync(source, JSON.stringify(LOG));
    const output = await importInto(ws.path, source);
    const line = readFileSync(output, 'utf8').trim();
    appendFileSync(output, `{"this is": "not a trajectory"\n${line}\n`);
    const cache = new RunViewCache(ws.path);

    const item = importItem(await cache.list(), 'moons.trajectories.jsonl');
    assert.equal(item.tasks, 2, 'the picker counts valid trajectories only');
    const page = (await cache.view(item.runId)).tasks(0, 50);
    assert.deepEqual(page.rows.map((r) => [r.taskId, r.steps]), [['q-1', 7], ['q-1 #2', 7]]);
    assert.equal(page.problems.length, 2, JSON.stringify(page.problems));
    assert.match(page.problems[0] ?? '', /^moons\.trajectories\.jsonl:2: /);
    assert.match(page.problems[1] ?? '', /"q-1" appears more than once/);
  });

  it('ignores files that are not import outputs and refuses an import id that names no file', async () => {
    const source = join(ws.path, 'moons.json');
    writeFileSync(source, JSON.stringify(LOG));
    const output = await importInto(ws.path, source);
    writeFileSync(join(ws.path, IMPORTS, 'notes.jsonl'), readFileSync(output));
    writeFileSync(join(ws.path, IMPORTS, '.moons.trajectories.jsonl.1.abc.tmp'), 'half');
    const cache = new RunViewCache(ws.path);
    assert.deepEqual((await cache.list()).map((r) => r.runId), ['import:moons.trajectories.jsonl']);
    await assert.rejects(cache.view('import:gone.trajectories.jsonl'), PanelLookupError);
    await assert.rejects(cache.view('import:../runs/x.trajectories.jsonl'), PanelLookupError);
  });

  it('shows a REAL Who&When log (hand-crafted/24.json) imported with its labelled step', async function () {
    const fixtures = requireSharedFixtures(this, 'the real Who&When log');
    const file = join(fixtures, 'whowhen', 'hand-crafted', '24.json');
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { question_ID: string; mistake_agent: string; mistake_step: string; history: Array<{ role: string }> };
    const output = await importInto(ws.path, file);
    const stored = JSON.parse(readFileSync(output, 'utf8').trim()) as { rounds: Array<{ index: number }>; steps: Array<{ id: string; round: number; agentId: string }> };
    const cache = new RunViewCache(ws.path);

    const item = importItem(await cache.list(), '24.trajectories.jsonl');
    assert.equal(item.tasks, 1);
    const view = await cache.view(item.runId);
    const [row] = view.tasks(0, 50).rows;
    const stepId = `s${raw.mistake_step}`;
    assert.deepEqual(
      row && { taskId: row.taskId, steps: row.steps, success: row.outcome?.success, agent: row.mistake?.agentId, step: row.mistake?.stepId },
      { taskId: raw.question_ID, steps: raw.history.length, success: false, agent: raw.mistake_agent, step: stepId },
    );
    const grid = view.grid(raw.question_ID, 0, 500);
    assert.ok(ResultSchemas.grid.safeParse(grid).success);
    assert.deepEqual(grid.rows.map((r) => r.round), stored.rounds.map((r) => r.index), 'one grid row per round the importer assigned');
    const column = grid.agents.findIndex((a) => a.id === raw.mistake_agent);
    const labelled = stored.steps.find((s) => s.id === stepId);
    assert.ok(labelled);
    const gridRow = grid.rows.find((r) => r.round === labelled.round);
    assert.ok(gridRow?.cells[column]?.stepIds.includes(stepId), 'the labelled step sits in its agent\'s column of its round');
    const detail = view.step(raw.question_ID, stepId);
    assert.equal(detail.mistake?.step, true);
    assert.equal(detail.agentId, raw.mistake_agent);
    assert.ok(ResultSchemas.step.safeParse(detail).success);
  });
});
