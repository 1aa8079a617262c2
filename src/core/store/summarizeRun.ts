/**
 * `summary.json`: scores per split and spend per phase and agent, computed from what the store
 * holds (every trajectory and every call record, across all invocations of the run). Because it
 * is a pure fold over stored lines, a resumed run's summary covers the whole run, and `report`
 * can rebuild it for a run that crashed before writing one.
 */
import { Accounting, emptyTotals, type AccountingSnapshot, type UsageTotals } from '../llm';
import { SPLITS, type SplitName } from '../tasks';
import type { Trajectory } from '../trajectory/schema';
import type { StoredCallRecord } from './callRecord';
import type { Manifest, RunStatus } from './manifest';

export const SUMMARY_FORMAT = 'truce-run-summary/1';

export interface SplitStats {
  /** Tasks of this split selected for the run. */
  tasks: number;
  /** Tasks with a stored result (scored or failed). */
  finished: number;
  failed: number;
  /** Mean outcome score over finished tasks (failures count as 0); null before any finished. */
  meanScore: number | null;
  successRate: number | null;
}

export interface TaskFailure {
  taskId: string;
  split?: SplitName;
  reason: string;
}

export interface InvocationInfo {
  number: number;
  startedAt: string;
  finishedAt: string;
  elapsedMs: number;
  /** Tasks that already had results when this invocation started (resume). */
  skipped: number;
  /** Tasks this invocation finished. */
  ran: number;
  /** LLM usage of this invocation only. */
  usage: UsageTotals;
}

export interface RunSummary {
  format: typeof SUMMARY_FORMAT;
  runId: string;
  status: RunStatus;
  statusReason?: string;
  configHash: string;
  promptHash: string;
  tasks: { planned: number; finished: number; failed: number; remaining: number };
  scores: Partial<Record<SplitName, SplitStats>> & { all: SplitStats };
  /** The whole run, all invocations. */
  usage: AccountingSnapshot;
  failures: TaskFailure[];
  invocation?: InvocationInfo;
}

export function failureReason(trajectory: Trajectory): string | undefined {
  const details = trajectory.outcome?.details ?? {};
  if (details.failed !== true) return undefined;
  return typeof details.reason === 'string' ? details.reason : 'the MAS failed';
}

function stats(planned: number, results: readonly Trajectory[]): SplitStats {
  const finished = results.length;
  const failed = results.filter((t) => failureReason(t) !== undefined).length;
  const score = results.reduce((s, t) => s + (t.outcome?.score ?? 0), 0);
  const successes = results.filter((t) => t.outcome?.success === true).length;
  return {
    tasks: planned,
    finished,
    failed,
    meanScore: finished ? score / finished : null,
    successRate: finished ? successes / finished : null,
  };
}

export function foldCalls(records: Iterable<StoredCallRecord>): AccountingSnapshot {
  const accounting = new Accounting();
  for (const r of records) accounting.record(r);
  return accounting.snapshot();
}

export function summarizeRun(
  manifest: Manifest,
  trajectories: readonly Trajectory[],
  calls: readonly StoredCallRecord[],
  invocation?: InvocationInfo,
): RunSummary {
  const splitOf = new Map(manifest.selection.tasks.map((t) => [t.id, t.split]));
  const results = trajectories.filter((t) => splitOf.has(t.taskId));
  const scores: RunSummary['scores'] = { all: stats(splitOf.size, results) };
  for (const split of SPLITS) {
    const planned = manifest.selection.tasks.filter((t) => t.split === split).length;
    if (planned > 0) scores[split] = stats(planned, results.filter((t) => splitOf.get(t.taskId) === split));
  }
  const failures: TaskFailure[] = [];
  for (const t of results) {
    const reason = failureReason(t);
    if (reason === undefined) continue;
    const split = splitOf.get(t.taskId);
    failures.push(split ? { taskId: t.taskId, split, reason } : { taskId: t.taskId, reason });
  }
  const summary: RunSummary = {
    format: SUMMARY_FORMAT,
    runId: manifest.runId,
    status: manifest.status,
    configHash: manifest.configHash,
    promptHash: manifest.prompts.hash,
    tasks: { planned: splitOf.size, finished: results.length, failed: failures.length, remaining: splitOf.size - results.length },
    scores,
    usage: calls.length ? foldCalls(calls) : { total: emptyTotals(), byPhase: {}, byAgent: {}, byRole: {} },
    failures,
  };
  if (manifest.statusReason !== undefined) summary.statusReason = manifest.statusReason;
  if (invocation) summary.invocation = invocation;
  return summary;
}
