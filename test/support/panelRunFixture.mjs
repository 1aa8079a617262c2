// Writes runs for the trajectory panel's tests straight into `.truce/runs/`, in the formats the
// optimizer writes (src/core/optimize/optimizeStore.ts, optimizeLoop.ts RoundRecord, types.ts
// Suggestion/CreditSignal/CreditReport, gbcMethod.ts GbcTaskGraph): by default an optimize run
// (optimize.json, optimize.jsonl, suggestions.json, credit.jsonl, credit.json, prompts.json) and
// the ordinary runs it names (rollouts, validations, tests); with `optimize: false` one ordinary
// run, with the credit.jsonl/credit.json `truce credit` leaves beside it. Plain JavaScript so the
// Playwright scenarios (.mjs) and the bundled TypeScript tests share one generator (a unit test
// checks its files against the optimizer's schemas). Deterministic: the same options give the
// same bytes.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const AGENTS = ['planner', 'researcher', 'critic'];
const NOW = '2026-11-22T00:45:12.000Z';
/** Prompt-set hashes: the initial prompts, the accepted candidate of round 1, the rejected one of round 2. */
export const FIXTURE_HASHES = { initial: 'a'.repeat(64), accepted: 'b'.repeat(64), rejected: 'c'.repeat(64) };

/**
 * @param {string} workspaceRoot
 * @param {object} options
 * @param {string} options.runId                like 20261122-004512-ab12 (the optimize run, or the one ordinary run)
 * @param {number} [options.tasks]              small tasks (default 4), split train, train, val, test, train, …
 * @param {number} [options.rounds]             rounds of each small task's MAS (default 2)
 * @param {number} [options.bigTaskSteps]       adds train task "big" with this many steps (4 agents per round)
 * @param {string[]} [options.unitIds]          unit ids the credit blames/praises (links back to the editor)
 * @param {string[]} [options.promptFiles]      workspace-relative prompt files for the manifests
 * @param {boolean} [options.credit]            write credit.jsonl and credit.json (default true)
 * @param {boolean} [options.optimize]          write an optimize run and its sub-runs (default true)
 * @param {boolean} [options.graph]             put a GBC graph for task-1 in credit.json (default true)
 * @returns {Promise<{ dir: string, runId: string, taskIds: string[], steps: number, subRunIds: string[] }>}
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
  const runs = join(workspaceRoot, '.truce', 'runs');
  const dir = join(runs, runId);
  await mkdir(dir, { recursive: true });
  const splitOf = (i) => ['train', 'train', 'val', 'test'][i % 4];
  const small = Array.from({ length: tasks }, (_, i) => ({ id: `task-${i + 1}`, split: splitOf(i), index: i }));
  const taskList = [...(bigTaskSteps > 0 ? [{ id: 'big', split: 'train', index: -1 }] : []), ...small];
  // Outcomes under the initial and the best prompts; train tasks pass on even indexes.
  const before = (i) => i % 3 === 0;
  const after = (i) => i % 2 === 0;
  let steps = 0;
  const trajectoryOf = (runOf, task, success) => {
    if (task.id === 'big') {
      const agents = [...AGENTS, 'aggregator'];
      return makeTrajectory(runOf, 'big', agents, Math.ceil(bigTaskSteps / agents.length), bigTaskSteps, true);
    }
    return makeTrajectory(runOf, task.id, AGENTS, rounds, rounds * AGENTS.length, success);
  };
  const train = taskList.filter((t) => t.split === 'train');
  const trainTrajectories = (runOf) => train.map((t) => trajectoryOf(runOf, t, t.index < 0 || t.index % 2 === 0));

  if (!optimize) {
    const trajectories = taskList.map((t) => trajectoryOf(runId, t, t.index < 0 || t.index % 2 === 0));
    for (const t of trajectories) steps += t.steps.length;
    await writeStoredRun(dir, runId, FIXTURE_HASHES.initial, taskList.map((t) => ({ id: t.id, split: t.split })), trajectories, promptFiles);
    if (credit) await writeCreditFiles(dir, trajectories.filter((t) => t.taskId !== 'big'), unitIds, rounds, 'truce', false);
    return { dir, runId, taskIds: taskList.map((t) => t.id), steps, subRunIds: [] };
  }

  // The sub-runs, in the order the optimizer starts them: the initial validation (round 0), per
  // round a rollout and the candidate's validation, then the test of the initial and best prompts.
  const val = taskList.filter((t) => t.split === 'val');
  const test = taskList.filter((t) => t.split === 'test');
  const prefix = runId.slice(0, -4);
  const subRuns = [];
  const subRun = async (purpose, round, hash, list, trajectories) => {
    if (list.length === 0) return undefined;
    const id = `${prefix}${(0xf000 + subRuns.length).toString(16)}`;
    subRuns.push({ runId: id, purpose, round });
    const stamped = trajectories.map((t) => ({ ...t, runId: id }));
    await writeStoredRun(join(runs, id), id, hash, list.map((t) => ({ id: t.id, split: 'train' })), stamped, promptFiles);
    return id;
  };
  const scores = (list, outcome) => Object.fromEntries(list.map((t) => [t.id, outcome(t.index) ? 1 : 0]));
  const evalRun = (list, outcome) => list.map((t) => trajectoryOf(runId, t, outcome(t.index)));
  const never = () => false;

  const v0 = await subRun('validation', 0, FIXTURE_HASHES.initial, val, evalRun(val, before));
  const rolloutTrajectories = trainTrajectories(runId);
  for (const t of rolloutTrajectories) steps += t.steps.length;
  for (const t of [...evalRun(val, after), ...evalRun(test, after)]) steps += t.steps.length;
  const r1 = await subRun('rollout', 1, FIXTURE_HASHES.initial, train, rolloutTrajectories);
  const v1 = await subRun('validation', 1, FIXTURE_HASHES.accepted, val, evalRun(val, after));
  const r2 = await subRun('rollout', 2, FIXTURE_HASHES.accepted, train, rolloutTrajectories);
  const v2 = await subRun('validation', 2, FIXTURE_HASHES.rejected, val, evalRun(val, never));
  await subRun('test', 3, FIXTURE_HASHES.initial, test, evalRun(test, before));
  await subRun('test', 3, FIXTURE_HASHES.accepted, test, evalRun(test, after));

  const manifest = {
    format: 'truce-optimize/1',
    runId,
    createdAt: NOW,
    updatedAt: NOW,
    status: 'completed',
    method: graph ? 'gbc' : 'truce',
    rounds: 2,
    topK: 3,
    seed: 7,
    delta: 0.1,
    ablations: { noCredit: false, noUnits: false },
    configHash: 'f'.repeat(64),
    subRuns,
  };
  await writeJson(join(dir, 'optimize.json'), manifest);
  await writeJson(join(dir, 'prompts.json'), { initial: {}, best: {}, initialHash: FIXTURE_HASHES.initial, bestHash: FIXTURE_HASHES.accepted });

  const usage = (calls, inputTokens, outputTokens, costUsd) => ({ calls, failedCalls: 0, attempts: calls, inputTokens, outputTokens, costUsd, cachedCalls: 0, cachedInputTokens: 0, cachedOutputTokens: 0, unsentCalls: 0 });
  const decision = (accepted, bestMean, candidateMean, reason) => ({ accepted, n: val.length, bestMean, candidateMean, gain: candidateMean - bestMean, epsilon: 0.06, margin: 0.12, delta: 0.05, reason });
  const mean = (m) => (Object.keys(m).length ? Object.values(m).reduce((a, b) => a + b, 0) / Object.keys(m).length : 0);
  const valBefore = scores(val, before);
  const valAfter = scores(val, after);
  const records = [
    {
      round: 1,
      batch: train.map((t) => t.id),
      rolloutRunId: r1,
      trainScore: 0.4,
      notes: [],
      suggestions: { retained: ['sug-1'], rejected: [{ id: 'sug-2', reason: 'support below the threshold' }] },
      applied: [{ suggestionId: 'sug-1', status: 'applied' }],
      candidateHash: FIXTURE_HASHES.accepted,
      valRunIds: [v1].filter(Boolean),
      ...(v0 ? { decision: decision(true, mean(valBefore), mean(valAfter), 'val gain 0.17 cleared the margin 0.12') } : {}),
      accepted: true,
      bestHash: FIXTURE_HASHES.accepted,
      bestVal: valAfter,
      usage: { rollout: usage(24, 8000, 1100, 0.012), credit: usage(8, 4500, 500, 0.02), suggest: usage(6, 3500, 500, 0.015) },
    },
    {
      round: 2,
      batch: train.map((t) => t.id),
      rolloutRunId: r2,
      trainScore: 0.6,
      notes: ['round 2: a note the panel does not show.'],
      suggestions: { retained: ['sug-3'], rejected: [{ id: 'sug-3', reason: 'The candidate with this edit was not accepted: val fell by 0.05' }] },
      applied: [{ suggestionId: 'sug-3', status: 'applied' }],
      candidateHash: FIXTURE_HASHES.rejected,
      valRunIds: [v2].filter(Boolean),
      ...(v0 ? { decision: decision(false, mean(valAfter), 0, 'val fell by 0.05') } : {}),
      accepted: false,
      bestHash: FIXTURE_HASHES.accepted,
      bestVal: valAfter,
      usage: { rollout: usage(24, 8000, 1050, 0.012), credit: usage(8, 4600, 500, 0.02), validation: usage(12, 3000, 400, 0.006) },
    },
  ];
  await writeFile(join(dir, 'optimize.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const suggestion = (id, round, op, agentId, targetUnitId, support, status, reason, rationale) => ({
    id,
    edit: { op, agentId, ...(targetUnitId ? { targetUnitId } : {}), ...(op === 'DELETE' ? {} : { newText: `${rationale} (edit)` }) },
    file: agentId === 'planner' ? promptFiles[0] : promptFiles[promptFiles.length - 1],
    rationale,
    evidence: [{ taskId: 'task-1', stepIds: ['s1'] }],
    support,
    tasks: ['task-1'],
    credit: -0.5,
    method: manifest.method,
    status,
    ...(reason ? { reason } : {}),
    round,
  });
  await writeJson(join(dir, 'suggestions.json'), [
    suggestion('sug-1', 1, 'MODIFY', 'planner', unitIds[0], 0.75, 'accepted', 'val gain 0.17 cleared the margin 0.12', 'Restating the goal first stopped the planner from drifting.'),
    suggestion('sug-2', 1, 'ADD', 'researcher', undefined, 0.25, 'rejected', 'support below the threshold', 'Ask for a third source.'),
    suggestion('sug-3', 2, 'DELETE', 'critic', unitIds[1], 0.5, 'rejected', 'The candidate with this edit was not accepted: val fell by 0.05', 'The critic repeats itself.'),
  ]);
  if (credit) await writeCreditFiles(dir, rolloutTrajectories.filter((t) => t.taskId !== 'big'), unitIds, rounds, manifest.method, graph);
  return { dir, runId, taskIds: taskList.map((t) => t.id), steps, subRunIds: subRuns.map((s) => s.runId) };
}

async function writeJson(file, value) {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** An ordinary run as the store writes it: manifest.json, trajectories.jsonl, summary.json. */
async function writeStoredRun(dir, runId, promptHash, selected, trajectories, promptFiles) {
  await mkdir(dir, { recursive: true });
  const manifest = {
    format: 'truce-run/1',
    runId,
    createdAt: NOW,
    updatedAt: NOW,
    status: 'completed',
    configFile: 'truce.yaml',
    configHash: 'fixture',
    config: {},
    prompts: { hash: promptHash, files: promptFiles.map((file) => ({ file, sha256: 'fixture', agents: file.endsWith('.yaml') ? ['researcher', 'critic'] : ['planner'] })) },
    seed: 7,
    split: { spec: { train: 2, val: 1, test: 1 }, sizes: { train: selected.length, val: 0, test: 0 } },
    selection: { split: 'all', taskFile: 'tasks.jsonl', taskFileSha256: 'fixture', tasks: selected },
    tools: { truce: '0.1.0', node: process.version, platform: process.platform },
    endpoints: {},
    cacheMode: 'off',
    concurrency: 1,
    invocations: 1,
  };
  await writeJson(join(dir, 'manifest.json'), manifest);
  await writeFile(join(dir, 'trajectories.jsonl'), trajectories.map((t) => `${JSON.stringify(t)}\n`).join(''));
  const meanScore = trajectories.length ? trajectories.reduce((s, t) => s + t.outcome.score, 0) / trajectories.length : null;
  const all = { tasks: selected.length, finished: trajectories.length, failed: 0, meanScore, successRate: meanScore };
  await writeJson(join(dir, 'summary.json'), { format: 'truce-summary/1', runId, status: 'completed', scores: { all } });
}

/** credit.jsonl (one CreditSignal a line) and credit.json (the CreditReport, GBC graph of task-1 in details.graph). */
async function writeCreditFiles(dir, trajectories, unitIds, rounds, method, graph) {
  const signals = [];
  trajectories.forEach((t, i) => {
    for (const step of t.steps) {
      const score = Number((((step.seq * 37 + i * 11) % 21) / 10 - 1).toFixed(2));
      signals.push({ scope: 'agent', ref: step.agentId, taskId: t.taskId, score, text: `${step.agentId} in round ${step.round}: ${score >= 0 ? 'moved the task forward' : 'sent the team the wrong way'}.`, evidence: [step.id], method: 'truce' });
    }
    for (let r = 0; r < rounds; r++) signals.push({ scope: 'round', ref: String(r), taskId: t.taskId, score: r === 0 ? 0.4 : -0.3, text: `Round ${r} summary.`, evidence: [], method: 'bcd' });
    unitIds.forEach((unitId, u) => {
      const step = t.steps[u % t.steps.length];
      signals.push({ scope: 'unit', ref: unitId, taskId: t.taskId, score: u % 2 === 0 ? -0.8 : 0.6, text: `The rule ${unitId} ${u % 2 === 0 ? 'made the planner skip the restatement' : 'kept the plan short'}.`, evidence: [step.id], method: 'truce' });
    });
  });
  const details = {};
  const first = trajectories.find((x) => x.taskId === 'task-1');
  if (graph && first) {
    const ids = first.steps.map((s) => s.id);
    const edges = [];
    for (let k = 1; k < ids.length; k++) {
      edges.push({ from: ids[k - 1], to: ids[k], weight: Number((0.3 + ((k * 13) % 7) / 10).toFixed(2)), kept: true, source: 'ablation' });
      if (k >= 2) edges.push({ from: ids[k - 2], to: ids[k], weight: k === 2 ? null : 0.2, kept: k !== 2, source: k === 2 ? 'none' : 'ablation' });
    }
    const final = ids[ids.length - 1];
    details.graph = {
      'task-1': {
        final,
        loss: { text: 'The final answer was wrong.', magnitude: 1 },
        nodes: first.steps.map((s) => ({ id: s.id, agentId: s.agentId, round: s.round, seq: s.seq, blame: s.id === final ? 1 : 0.5 })),
        edges,
        paths: [{ steps: [ids[ids.length - 4], ids[ids.length - 2], final].filter(Boolean), weight: 0.4 }],
        pathsTruncated: false,
      },
    };
  }
  await writeFile(join(dir, 'credit.jsonl'), signals.map((s) => `${JSON.stringify(s)}\n`).join(''));
  await writeJson(join(dir, 'credit.json'), { method, signals, details });
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
