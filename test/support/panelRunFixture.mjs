// Writes a stored run for the trajectory panel's tests straight into `.truce/runs/<runId>/`: the
// store's own files (manifest, trajectories) plus the optional credit.jsonl, optimize.jsonl and
// suggestions.json the panel reads. Plain JavaScript so the Playwright scenarios (.mjs) and the
// bundled TypeScript tests share one generator. Deterministic: the same options give the same bytes.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const AGENTS = ['planner', 'researcher', 'critic'];

/**
 * @param {string} workspaceRoot
 * @param {object} options
 * @param {string} options.runId                like 20261122-004512-ab12
 * @param {number} [options.tasks]              small tasks (default 4)
 * @param {number} [options.rounds]             rounds of each small task (default 2)
 * @param {number} [options.bigTaskSteps]       adds task "big" with this many steps (4 agents per round)
 * @param {string[]} [options.unitIds]          unit ids the credit blames/praises (links back to the editor)
 * @param {string[]} [options.promptFiles]      workspace-relative prompt files for the manifest
 * @param {boolean} [options.credit]            write credit.jsonl (default true)
 * @param {boolean} [options.optimize]          write optimize.jsonl and suggestions.json (default true)
 * @param {boolean} [options.graph]             write a GBC graph for task-1 (default true)
 * @returns {Promise<{ dir: string, runId: string, taskIds: string[], steps: number }>}
 */
export async function writePanelRun(workspaceRoot, options) {
  const {
    runId,
    tasks = 4,
    rounds = 2,
    bigTaskSteps = 0,
    unitIds = [],
    promptFiles = ['prompts/planner.prompt.md', 'agents.yaml'],
    credit = true,
    optimize = true,
    graph = true,
  } = options;
  const dir = join(workspaceRoot, '.truce', 'runs', runId);
  await mkdir(dir, { recursive: true });
  const splitOf = (i) => (['train', 'train', 'val', 'test'][i % 4]);
  const taskList = Array.from({ length: tasks }, (_, i) => ({ id: `task-${i + 1}`, split: splitOf(i) }));
  if (bigTaskSteps > 0) taskList.unshift({ id: 'big', split: 'train' });
  const now = '2026-11-22T00:45:12.000Z';
  const manifest = {
    format: 'truce-run/1',
    runId,
    createdAt: now,
    updatedAt: now,
    status: 'completed',
    configFile: 'truce.yaml',
    configHash: 'fixture',
    config: {},
    prompts: { hash: 'fixture', files: promptFiles.map((file) => ({ file, sha256: 'fixture', agents: file.endsWith('.yaml') ? ['researcher', 'critic'] : ['planner'] })) },
    seed: 7,
    split: { spec: { train: 2, val: 1, test: 1 }, sizes: { train: 2, val: 1, test: 1 } },
    selection: { split: 'all', taskFile: 'tasks.jsonl', taskFileSha256: 'fixture', tasks: taskList },
    tools: { truce: '0.1.0', node: process.version, platform: process.platform },
    endpoints: {},
    cacheMode: 'off',
    concurrency: 1,
    invocations: 1,
  };
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const trajectories = [];
  const signals = [];
  let steps = 0;
  if (bigTaskSteps > 0) {
    const agents = [...AGENTS, 'aggregator'];
    const bigRounds = Math.ceil(bigTaskSteps / agents.length);
    trajectories.push(makeTrajectory(runId, 'big', agents, bigRounds, bigTaskSteps, true));
    steps += bigTaskSteps;
  }
  taskList
    .filter((t) => t.id !== 'big')
    .forEach((task, i) => {
      const success = i % 2 === 0;
      const t = makeTrajectory(runId, task.id, AGENTS, rounds, rounds * AGENTS.length, success);
      trajectories.push(t);
      steps += t.steps.length;
      if (!credit) return;
      for (const step of t.steps) {
        const score = Number((((step.seq * 37 + i * 11) % 21) / 10 - 1).toFixed(2));
        signals.push({ scope: 'agent', ref: step.agentId, taskId: task.id, score, text: `${step.agentId} in round ${step.round}: ${score >= 0 ? 'moved the task forward' : 'sent the team the wrong way'}.`, evidence: [step.id], method: 'truce' });
      }
      for (let r = 0; r < rounds; r++) signals.push({ scope: 'round', ref: String(r), taskId: task.id, score: r === 0 ? 0.4 : -0.3, text: `Round ${r} summary.`, evidence: [], method: 'bcd' });
      unitIds.forEach((unitId, u) => {
        const step = t.steps[u % t.steps.length];
        signals.push({ scope: 'unit', ref: unitId, taskId: task.id, score: u % 2 === 0 ? -0.8 : 0.6, text: `The rule ${unitId} ${u % 2 === 0 ? 'made the planner skip the restatement' : 'kept the plan short'}.`, evidence: [step.id], method: 'truce' });
      });
    });
  await writeFile(join(dir, 'trajectories.jsonl'), trajectories.map((t) => `${JSON.stringify(t)}\n`).join(''));

  if (credit) {
    const lines = signals.map((s) => JSON.stringify(s));
    if (graph && tasks > 0) {
      const t = trajectories.find((x) => x.taskId === 'task-1');
      const ids = t.steps.map((s) => s.id);
      const edges = [];
      for (let k = 1; k < ids.length; k++) {
        edges.push({ from: ids[k - 1], to: ids[k], weight: Number((0.3 + ((k * 13) % 7) / 10).toFixed(2)) });
        if (k >= 2) edges.push({ from: ids[k - 2], to: ids[k], weight: 0.2 });
      }
      lines.push(JSON.stringify({ taskId: 'task-1', graph: { nodes: t.steps.map((s) => ({ id: s.id, agentId: s.agentId, label: `${s.agentId} ${s.id}` })), edges, paths: [[ids[ids.length - 1], ids[ids.length - 2], ids[ids.length - 4]].filter(Boolean)] } }));
    }
    await writeFile(join(dir, 'credit.jsonl'), lines.map((l) => `${l}\n`).join(''));
  }

  if (optimize) {
    const records = [
      { round: 0, phase: 'baseline', train: 0.4, val: 0.33, accepted: true, reason: 'baseline', spend: { rollout: { calls: 24, tokens: 9000, costUsd: 0.012 } } },
      { round: 1, phase: 'A', train: 0.55, val: 0.5, decision: { accepted: true, reason: 'val gain 0.17 cleared the margin 0.12' }, spend: { rollout: { calls: 24, tokens: 9100, costUsd: 0.012 }, credit: { calls: 8, tokens: 5000, costUsd: 0.02 }, suggest: { calls: 6, tokens: 4000, costUsd: 0.015 } } },
      {
        round: 2,
        phase: 'B',
        train: 0.6,
        val: 0.45,
        accepted: false,
        reason: 'val fell by 0.05',
        spend: [{ phase: 'rollout', calls: 24, tokens: 9050, costUsd: 0.012 }, { phase: 'credit', calls: 8, tokens: 5100, costUsd: 0.02 }],
        tasks: taskList.filter((t) => t.id !== 'big').map((t, i) => ({ taskId: t.id, before: i % 3 === 0, after: i % 2 === 0 })),
      },
    ];
    await writeFile(join(dir, 'optimize.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const suggestions = [
      { id: 'sug-1', status: 'accepted', edit: { op: 'MODIFY', agentId: 'planner', targetUnitId: unitIds[0] }, support: 0.75, rationale: 'Restating the goal first stopped the planner from drifting.', round: 1 },
      { id: 'sug-2', status: 'rejected', edit: { op: 'ADD', agentId: 'researcher' }, support: 0.25, reason: 'support below the threshold', rationale: 'Ask for a third source.', round: 1 },
      { id: 'sug-3', status: 'rejected', edit: { op: 'DELETE', agentId: 'critic', targetUnitId: unitIds[1] }, support: 0.5, reason: 'val fell by 0.05', rationale: 'The critic repeats itself.', round: 2 },
    ];
    await writeFile(join(dir, 'suggestions.json'), `${JSON.stringify(suggestions, null, 2)}\n`);
  }
  return { dir, runId, taskIds: taskList.map((t) => t.id), steps };
}

function makeTrajectory(runId, taskId, agents, rounds, stepCount, success) {
  const steps = [];
  for (let seq = 0; seq < stepCount; seq++) {
    const round = Math.floor(seq / agents.length);
    const agentId = agents[seq % agents.length];
    const id = `s${seq + 1}`;
    const long = seq === 0 && stepCount < 100;
    steps.push({
      id,
      seq,
      round,
      agentId,
      kind: 'llm',
      input: [
        { role: 'system', content: `You are the ${agentId}.` },
        { role: 'user', content: seq === 0 ? 'Plan **three** steps. <script>window.injected = 1</script> Use `grep`.\n\n- first\n- second' : `Continue from round ${round}.` },
      ],
      output: long ? `Plan:\n\n${Array.from({ length: 200 }, (_, k) => `${k + 1}. Step ${k + 1} of the plan, explained at length.`).join('\n')}` : `Answer of ${agentId} in round ${round}.`,
      reads: seq >= agents.length ? [`s${seq + 1 - agents.length}`] : [],
      usage: { in: 100 + (seq % 50), out: 20 + (seq % 30) },
      t_start: 1_800_000_000_000 + seq * 1000,
      t_end: 1_800_000_000_000 + seq * 1000 + 750,
      attrs: {},
    });
  }
  return {
    version: 1,
    runId,
    taskId,
    task: { input: `Fixture task ${taskId}: which source is right?`, reference: 'A' },
    agents: agents.map((id) => ({ id, kind: id === 'critic' || id === 'aggregator' ? 'aggregator' : 'role' })),
    rounds: Array.from({ length: rounds }, (_, index) => ({ index })),
    steps,
    outcome: { score: success ? 1 : 0, success, details: {} },
    usage: { in: 0, out: 0 },
  };
}
