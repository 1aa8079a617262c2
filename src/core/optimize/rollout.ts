/**
 * One rollout of the optimizer: a candidate prompt set on a chosen list of tasks, run and scored by
 * runMas (so it is stored as an ordinary run, with trajectories, call records and summary).
 *
 * runMas selects tasks by split, not by id, so the chosen tasks are written to a task file of
 * their own inside the optimize run folder, declared as one "train" block (explicit counts keep
 * the seeded split from reshuffling them). Task texts are unchanged, so executor calls hash the
 * same as in any other run and the response cache answers repeats.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { TruceConfig } from '../config';
import type { BudgetLimits, LlmServicesOptions, UsageTotals } from '../llm';
import { emptyTotals } from '../llm';
import type { MasTask } from '../mas';
import { runMas } from '../run';
import { loadRun, writeFileAtomic, type RunStatus } from '../store';
import type { Trajectory } from '../trajectory/schema';
import type { PromptTexts } from '../credit/agentUnits';
import { candidateBackend } from './candidateBackend';
import { inTaskOrder } from './inTaskOrder';
import { createHash } from 'node:crypto';

export interface RolloutRequest {
  config: TruceConfig;
  workspaceRoot: string;
  /** The optimize run's folder; the task files go under it. */
  optimizeDir: string;
  texts: PromptTexts;
  tasks: readonly MasTask[];
  limits: BudgetLimits;
  trusted: boolean;
  env: Readonly<Record<string, string | undefined>>;
  secrets?: Partial<Record<'executor' | 'optimizer' | 'judge', string>>;
  signal?: AbortSignal;
  probe: boolean;
  llm?: Pick<LlmServicesOptions, 'clock' | 'random' | 'retry' | 'fetch' | 'onRetry'>;
  toolVersion?: string;
  /**
   * The user agreed to an optimize run that may exceed a cap: a rollout whose projection does not
   * fit what is left runs until the cap stops it, instead of being refused before it starts.
   */
  runIntoCap?: boolean;
}

export interface RolloutResult {
  runId: string;
  status: RunStatus;
  statusReason?: string;
  trajectories: Trajectory[];
  /** Task id → score (a failed task scores 0, as in run summaries). */
  scores: Map<string, number>;
  usage: UsageTotals;
  /** The same, by the phases runMas records ('rollout', 'probe', 'judge'). */
  byPhase: Record<string, UsageTotals>;
}

export async function rollout(request: RolloutRequest): Promise<RolloutResult> {
  const body = request.tasks.map((t) => JSON.stringify(t)).join('\n') + '\n';
  const name = createHash('sha256').update(body).digest('hex').slice(0, 16);
  const dir = join(request.optimizeDir, 'tasks');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${name}.jsonl`);
  // Atomic: a kill mid-write must not leave a short task file whose content no longer matches
  // its name (the file is named after its content, and reused runs are matched by its hash).
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing !== body) await writeFileAtomic(file, body);
  const config: TruceConfig = {
    ...request.config,
    tasks: { file: relative(request.workspaceRoot, file).replace(/\\/g, '/'), split: { train: request.tasks.length, val: 0, test: 0 }, seed: 0 },
    budget: {
      ...(request.limits.maxCalls !== undefined ? { maxCalls: Math.max(1, request.limits.maxCalls) } : {}),
      ...(request.limits.maxTokens !== undefined ? { maxTokens: Math.max(1, request.limits.maxTokens) } : {}),
      ...(request.limits.maxCostUsd !== undefined ? { maxCost: Math.max(1e-9, request.limits.maxCostUsd) } : {}),
    },
  };
  const result = await runMas({
    config,
    workspaceRoot: request.workspaceRoot,
    split: 'train',
    trusted: request.trusted,
    env: request.env,
    mas: candidateBackend(request.texts),
    probe: request.probe,
    // After a crash the optimizer re-issues the rollouts of its unfinished round: the stored run
    // of the same prompt set on the same tasks is taken as it is, or resumed, never run again.
    reuseMatching: true,
    ...(request.secrets ? { secrets: request.secrets } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.llm ? { llm: request.llm } : {}),
    ...(request.toolVersion ? { toolVersion: request.toolVersion } : {}),
    ...(request.runIntoCap ? { confirmSpend: async () => true } : {}),
  });
  const stored = await loadRun(request.workspaceRoot, result.runId);
  // The store holds them in the order the tasks finished, which differs run to run.
  const trajectories = inTaskOrder(stored.trajectories, request.tasks);
  const scores = new Map<string, number>();
  for (const t of trajectories) scores.set(t.taskId, t.outcome?.score ?? 0);
  return {
    runId: result.runId,
    status: result.status,
    ...(result.summary.statusReason !== undefined ? { statusReason: result.summary.statusReason } : {}),
    trajectories,
    scores,
    usage: result.summary.invocation?.usage ?? emptyTotals(),
    // A reused run spent nothing now (its spend was counted in the round that ran it). A resumed
    // one reports the whole run: the part spent before the crash belongs to the round redone now.
    byPhase: result.reused ? {} : result.summary.usage.byPhase,
  };
}
