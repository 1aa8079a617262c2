/**
 * The task list of a run: every task the run selected, in the run's order, with its split,
 * outcome, size and — when an optimize run recorded outcomes before and after — its shift.
 */
import type { Trajectory } from '../../core/trajectory/schema';
import type { Shift, ShiftCounts, TaskRow } from '../panelProtocol';
import { mistakeLabel } from './mistakeLabel';
import type { PanelRun } from './panelRun';
import type { OptimizeRecord } from './runExtrasSchema';

export function shiftOf(before: boolean, after: boolean): Shift {
  if (before) return after ? 'pass-pass' : 'pass-fail';
  return after ? 'fail-pass' : 'fail-fail';
}

/**
 * Per-task shift from records that carry per-task before/after (the panel's first draft of the
 * format; the optimizer's runs give outcomes through `PanelRun.outcomes` instead). A later record's before/after replaces an earlier
 * one's (the last round reports the final prompts); a task needs both ends to have a shift.
 */
export function shiftsByTask(records: readonly OptimizeRecord[]): Map<string, Shift> {
  const before = new Map<string, boolean>();
  const after = new Map<string, boolean>();
  for (const record of [...records].sort((a, b) => a.round - b.round)) {
    for (const task of record.tasks ?? []) {
      if (task.before) before.set(task.taskId, task.before.success);
      if (task.after) after.set(task.taskId, task.after.success);
    }
  }
  return shiftsFromOutcomes(before, after);
}

/** A shift for every task with an outcome at both ends. */
export function shiftsFromOutcomes(before: ReadonlyMap<string, boolean>, after: ReadonlyMap<string, boolean>): Map<string, Shift> {
  const out = new Map<string, Shift>();
  for (const [taskId, b] of before) {
    const a = after.get(taskId);
    if (a !== undefined) out.set(taskId, shiftOf(b, a));
  }
  return out;
}

export function countShifts(shifts: Iterable<Shift>): ShiftCounts {
  const counts: ShiftCounts = { 'pass-pass': 0, 'fail-pass': 0, 'pass-fail': 0, 'fail-fail': 0 };
  for (const shift of shifts) counts[shift] += 1;
  return counts;
}

export function stepTokens(step: Trajectory['steps'][number]): number {
  return step.usage.total ?? step.usage.in + step.usage.out;
}

export function buildTaskRows(run: PanelRun, byTask: ReadonlyMap<string, Trajectory>, shifts: ReadonlyMap<string, Shift>): TaskRow[] {
  const rows: TaskRow[] = [];
  const listed = new Set<string>();
  const row = (taskId: string, split: TaskRow['split']): TaskRow => {
    const trajectory = byTask.get(taskId);
    return {
      taskId,
      split,
      outcome: trajectory?.outcome ? { score: trajectory.outcome.score, success: trajectory.outcome.success } : null,
      recorded: trajectory !== undefined,
      steps: trajectory?.steps.length ?? 0,
      tokens: trajectory ? trajectory.steps.reduce((sum, step) => sum + stepTokens(step), 0) : 0,
      shift: shifts.get(taskId) ?? null,
      mistake: mistakeLabel(trajectory),
    };
  };
  for (const task of run.manifest.selection.tasks) {
    if (listed.has(task.id)) continue;
    listed.add(task.id);
    rows.push(row(task.id, task.split));
  }
  // Trajectories of tasks the manifest does not list (an imported run) still belong in the list.
  for (const trajectory of run.trajectories) {
    if (listed.has(trajectory.taskId)) continue;
    listed.add(trajectory.taskId);
    rows.push(row(trajectory.taskId, null));
  }
  return rows;
}
