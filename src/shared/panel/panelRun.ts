/**
 * What the panel's view models are computed from: a stored run (as `loadRun` returns it) and the
 * optional files beside it. Only the fields the panel reads are named, so tests can build one
 * from a literal and the webview bundle never pulls in the store.
 */
import type { Trajectory } from '../../core/trajectory/schema';
import type { RunExtras } from './runExtrasSchema';

export interface PanelRun {
  manifest: { runId: string; selection: { tasks: Array<{ id: string; split: 'train' | 'val' | 'test' }> } };
  trajectories: Trajectory[];
  problems: string[];
  extras: RunExtras;
  /**
   * An optimize run's val/test outcomes per task under the initial prompts (before) and the best
   * ones (after); the task list's shifts come from here.
   */
  outcomes?: { before: ReadonlyMap<string, boolean>; after: ReadonlyMap<string, boolean> };
  /** A run recorded by attaching to a MAS: its tasks take the user's verdicts. */
  rateable?: boolean;
}

/** A request named a task or step the run does not have: answered as an error, never thrown past the host. */
export class PanelLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PanelLookupError';
  }
}

export function findTrajectory(byTask: ReadonlyMap<string, Trajectory>, runId: string, taskId: string): Trajectory {
  const trajectory = byTask.get(taskId);
  if (!trajectory) throw new PanelLookupError(`Run ${runId} has no trajectory for task "${taskId}" (not run yet, or it failed before producing one).`);
  return trajectory;
}
