/**
 * The facts every report format shows, gathered once from a stored run: its summary recomputed
 * from the stored lines (so a crashed run that never wrote summary.json still reports), plus the
 * per-task results in task order.
 */
import { summarizeRun, type RunState, type RunSummary, type StoredRun } from '../store';
import type { SplitName } from '../tasks';
import type { Trajectory } from '../trajectory/schema';

export interface TaskRow {
  taskId: string;
  split: SplitName;
  /** Undefined when the task has no result yet. */
  trajectory?: Trajectory;
}

export interface RunReport {
  run: StoredRun;
  state: RunState;
  summary: RunSummary;
  rows: TaskRow[];
}

export function buildRunReport(run: StoredRun): RunReport {
  const stored = run.summary?.runId === run.manifest.runId ? run.summary : undefined;
  const summary = summarizeRun(run.manifest, run.trajectories, run.calls, stored?.invocation);
  const byTask = new Map(run.trajectories.map((t) => [t.taskId, t]));
  const rows = run.manifest.selection.tasks.map((s) => {
    const trajectory = byTask.get(s.id);
    return trajectory ? { taskId: s.id, split: s.split, trajectory } : { taskId: s.id, split: s.split };
  });
  return { run, state: run.state, summary, rows };
}
