/**
 * Envelope phase: what a MARBLE record says about the run as a whole — the agents (the config's,
 * then everyone the record names, in order of first mention), the outcome its judges gave, its
 * token count and its identity — around the steps and rounds the other phases build.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { MarbleConfig } from '../marbleConfig';
import type { Agent, Round, Step, Trajectory } from '../schema';
import { asRecord, normalizeAssignments, normalizeResults, rootAgentOf, text } from './marbleFields';

export const MARBLE_PLANNER_ID = 'engine_planner';

/** The record's agent ids: the config, then everyone the record mentions, in order of first mention. */
export function agentRoster(record: Record<string, unknown>, config: MarbleConfig | undefined): string[] {
  const agentIds: string[] = [];
  const addAgent = (id: string): void => {
    if (id && id !== MARBLE_PLANNER_ID && !agentIds.includes(id)) agentIds.push(id);
  };
  for (const a of config?.agents ?? []) addAgent(a.id);
  (record.iterations as unknown[]).forEach((it) => {
    const iteration = asRecord(it) ?? {};
    const root = rootAgentOf(iteration);
    if (root) addAgent(root);
    for (const agent of normalizeAssignments(iteration.task_assignments).keys()) addAgent(agent);
    for (const r of normalizeResults(iteration.task_results, root)) addAgent(r.agent);
  });
  for (const agent of Object.keys(asRecord(record.agent_kpis) ?? {})) addAgent(agent);
  return agentIds;
}

/** The roster with the config's profiles, any speaker it missed, and the planner when it spoke. */
function agentsOf(agentIds: readonly string[], steps: readonly Step[], config: MarbleConfig | undefined): Agent[] {
  const profiles = new Map((config?.agents ?? []).map((a) => [a.id, a]));
  const agents: Agent[] = agentIds.map((id) => {
    const cfg = profiles.get(id);
    return { id, kind: 'role', ...(cfg?.profile ? { prompt: cfg.profile } : {}), ...(cfg?.role ? { name: `${id} (${cfg.role})` } : {}) };
  });
  // Speakers the config and the results did not name (a session partner that never acted).
  for (const s of steps) if (s.agentId !== MARBLE_PLANNER_ID && !agents.some((a) => a.id === s.agentId)) agents.push({ id: s.agentId, kind: 'role' });
  if (steps.some((s) => s.agentId === MARBLE_PLANNER_ID)) agents.push({ id: MARBLE_PLANNER_ID, kind: 'aggregator', name: 'MARBLE engine planner' });
  return agents;
}

/**
 * MARBLE's judges rate 1–5 and set no pass mark: a rating maps linearly onto [0, 1] and a run counts
 * as successful at or above the scale midpoint. A database task's `accuracy` is already a fraction.
 */
function outcomeOf(record: Record<string, unknown>): Trajectory['outcome'] {
  const evaluation = asRecord(record.task_evaluation) ?? asRecord(record.code_quality);
  if (!evaluation) return undefined;
  if (typeof evaluation.accuracy === 'number' && evaluation.accuracy >= 0 && evaluation.accuracy <= 1) {
    return { score: evaluation.accuracy, success: evaluation.accuracy >= 0.5, details: { ...evaluation } };
  }
  const ratings = Object.values(evaluation).filter((v): v is number => typeof v === 'number' && v >= 1 && v <= 5);
  if (ratings.length === 0) return undefined;
  const score = ratings.reduce((sum, r) => sum + (r - 1) / 4, 0) / ratings.length;
  return { score, success: score >= 0.5, details: { ...evaluation, scale: '1-5 ratings mapped to [0,1]' } };
}

export interface MarbleRun {
  record: Record<string, unknown>;
  /** The JSONL line the record is on. */
  line: number;
  source: string | undefined;
  config: MarbleConfig | undefined;
  taskText: string;
  mode: string | undefined;
  agentIds: string[];
}

/** The trajectory around its steps and rounds. */
export function envelope(run: MarbleRun, steps: Step[], rounds: Round[]): Trajectory {
  const { record, line, mode, taskText } = run;
  const outcome = outcomeOf(record);
  const tokenUsage = typeof record.token_usage === 'number' && Number.isSafeInteger(record.token_usage) && record.token_usage >= 0 ? record.token_usage : undefined;
  const source = run.source ? basename(run.source) : 'marble';
  const extras: Record<string, unknown> = {};
  for (const key of ['planning_scores', 'communication_scores', 'agent_kpis', 'total_milestones', 'task_evaluation', 'code_quality', 'final_output'] as const) {
    if (record[key] !== undefined) extras[key] = record[key];
  }
  return {
    runId: `marble:${source}:${line}`,
    taskId: `marble-task:${createHash('sha256').update(taskText).digest('hex').slice(0, 12)}`,
    task: { input: taskText },
    agents: agentsOf(run.agentIds, steps, run.config),
    rounds,
    steps,
    ...(outcome ? { outcome } : {}),
    usage: { in: 0, out: 0, ...(tokenUsage !== undefined ? { total: tokenUsage } : {}) },
    attrs: { source: 'marble', ...(run.source ? { file: run.source } : {}), line, ...(mode ? { coordinationMode: mode } : {}), ...extras },
  };
}

export function marbleRun(record: Record<string, unknown>, line: number, source: string | undefined, config: MarbleConfig | undefined): MarbleRun {
  const mode = typeof record.coordination_mode === 'string' ? record.coordination_mode : config?.coordinateMode;
  return { record, line, source, config, taskText: text(record.task), mode, agentIds: agentRoster(record, config) };
}
