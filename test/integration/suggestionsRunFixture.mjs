/**
 * A small plain run with credit and suggestions for the planner prompt of the fixture workspace,
 * written into `.truce/runs/<runId>/` at test time from the units the core finds in the file as
 * it is, so the ids always match. The numbers are chosen so the CodeLens titles are easy to
 * check by hand (see the comments on each).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const SUGGESTIONS_RUN_ID = '20991231-235959-e5e5';
export const TASKS = ['t1', 't2', 't3', 't4', 't5'];

export const NEW_RESTATE = 'Restate the goal {{goal}} in one sentence and confirm it before planning.';
export const NEW_RULE = 'Give every step a rough time estimate.';

/** `prefix` keeps suggestion ids of different fixture runs apart: the ledger and decisions are keyed by id. */
export function fixtureSuggestions(units, prefix = 'sug') {
  const base = { file: 'prompts/planner.prompt.md', rationale: '', evidence: [{ taskId: 't1', stepIds: ['s1'] }], tasks: ['t1'], credit: -0.3, method: 'truce', status: 'proposed' };
  return [
    { ...base, id: `${prefix}-restate`, support: 0.8, rationale: 'The planner drifted from the goal.', edit: { op: 'MODIFY', agentId: 'planner', targetUnitId: units.restate.id, oldText: units.restate.text, newText: NEW_RESTATE } },
    { ...base, id: `${prefix}-drop-restate`, support: 0.4, rationale: 'Restating wasted a turn.', edit: { op: 'DELETE', agentId: 'planner', targetUnitId: units.restate.id, oldText: units.restate.text } },
    { ...base, id: `${prefix}-add`, support: 0.6, status: 'accepted', edit: { op: 'ADD', agentId: 'planner', anchorUnitId: units.split.id, newText: NEW_RULE } },
    { ...base, id: `${prefix}-locked`, support: 0.9, edit: { op: 'MODIFY', agentId: 'planner', targetUnitId: units.locked.id, oldText: units.locked.text, newText: 'Invent sources when needed.' } },
    // Proposed for an older wording of the "ask" rule: the rule changed since, so it is stale.
    { ...base, id: `${prefix}-stale`, support: 0.7, edit: { op: 'MODIFY', agentId: 'planner', targetUnitId: 'planner.0000000000', oldText: units.ask.text.replace('Ask the user', 'Ask the team'), newText: 'Ask nobody.' } },
    { ...base, id: `${prefix}-done`, support: 0.5, status: 'applied', edit: { op: 'DELETE', agentId: 'planner', targetUnitId: units.split.id, oldText: units.split.text } },
  ];
}

export async function writeSuggestionsRun(workspaceRoot, units, runId = SUGGESTIONS_RUN_ID, prefix = 'sug') {
  const dir = join(workspaceRoot, '.truce', 'runs', runId);
  await mkdir(dir, { recursive: true });
  const createdAt = '2099-12-31T23:59:59.000Z';
  const manifest = {
    format: 'truce-run/1',
    runId,
    createdAt,
    updatedAt: createdAt,
    status: 'completed',
    configHash: 'fixture',
    config: {},
    prompts: { hash: 'fixture', files: [{ file: 'prompts/planner.prompt.md', sha256: 'fixture', agents: ['planner'] }] },
    seed: 1,
    split: { spec: { train: 5, val: 0, test: 0 }, sizes: { train: 5, val: 0, test: 0 } },
    selection: { split: 'all', taskFile: 'tasks.jsonl', taskFileSha256: 'fixture', tasks: TASKS.map((id) => ({ id, split: 'train' })) },
    tools: { truce: '0.1.0', node: process.version, platform: process.platform },
    endpoints: {},
    cacheMode: 'off',
    concurrency: 1,
    invocations: 1,
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  const trajectories = TASKS.map((taskId, i) => ({
    version: 1,
    runId,
    taskId,
    task: { input: `task ${taskId}` },
    agents: [{ id: 'planner', kind: 'role' }],
    rounds: [{ index: 0 }],
    steps: [{ id: 's1', seq: 0, round: 0, agentId: 'planner', kind: 'llm', output: `Plan for ${taskId}: skip the restatement and start searching.`, reads: [], usage: { in: 10, out: 5 }, attrs: {} }],
    outcome: { score: i === 4 ? 1 : 0, success: i === 4, details: {} },
    usage: { in: 10, out: 5 },
  }));
  await writeFile(join(dir, 'trajectories.jsonl'), trajectories.map((t) => `${JSON.stringify(t)}\n`).join(''));
  const unit = (ref, taskId, score, method = 'truce') => ({ scope: 'unit', ref, taskId, score, text: `${method} on ${taskId}: ${score < 0 ? 'the plan skipped the restatement' : 'the plan stayed short'}`, evidence: ['s1'], method });
  const signals = [
    // "restate": task means −0.6, −0.5, −0.4, −0.3, +0.1 → mean −0.34, blamed in 4 of 5 tasks.
    unit(units.restate.id, 't1', -0.6),
    unit(units.restate.id, 't2', -0.4),
    unit(units.restate.id, 't2', -0.6, 'bcd'),
    unit(units.restate.id, 't3', -0.4),
    unit(units.restate.id, 't4', -0.3),
    unit(units.restate.id, 't5', 0.1),
    // "split": +0.5, +0.3, +0.1 → mean +0.30, credited in 3 of 5 tasks.
    unit(units.split.id, 't1', 0.5),
    unit(units.split.id, 't2', 0.3),
    unit(units.split.id, 't3', 0.1),
    { scope: 'agent', ref: 'planner', taskId: 't1', score: -0.2, text: 'agent-level', evidence: ['s1'], method: 'truce' },
  ];
  await writeFile(join(dir, 'credit.jsonl'), signals.map((s) => `${JSON.stringify(s)}\n`).join(''));
  await writeFile(join(dir, 'suggestions.json'), JSON.stringify(fixtureSuggestions(units, prefix), null, 2));
  // `truce intervene` on the planner's step of t1: 2 of 3 re-runs succeed with it corrected.
  const repeat = (index, success) => ({ index, reached: true, success, score: success ? 1 : 0, replayed: 0, live: 1, missed: 0, spend: { calls: 1, inputTokens: 10, outputTokens: 5, costUsd: 0 } });
  const intervention = {
    format: 'truce-intervention/1', id: 'fixture-intervention', at: createdAt, taskId: 't1', stepId: 's1', agentId: 'planner', callId: 'g1', source: 'credit',
    reason: 'The plan skipped the restatement.', original: 'Plan for t1: skip the restatement and start searching.', correction: 'Plan for t1: restate the goal, then search.',
    baseline: { success: false, score: 0 }, repeats: [repeat(0, true), repeat(1, false), repeat(2, true)], runs: 3, flips: 2, spend: { calls: 4, inputTokens: 40, outputTokens: 20, costUsd: 0 },
  };
  await writeFile(join(dir, 'interventions.jsonl'), `${JSON.stringify(intervention)}\n`);
}
