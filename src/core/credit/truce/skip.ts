/**
 * Which tasks carry a signal worth paying Φ and Ψ for.
 *
 * A task is skipped when
 *  - its MAS run failed (outcome.details.failed): there is no behaviour to credit, only an error; or
 *  - the whole batch is a clean sweep — every task scored 1 with success — and this task did not
 *    regress: a previous score recorded by the optimizer (trajectory attrs `truce.previousScore`)
 *    is not above its current one. With nothing to fix and nothing that got worse, credit could
 *    only restate "everything went well", and suggestions drawn from it are noise.
 * A success in a batch that also holds failures is kept: it shows behaviour that worked, which is
 * where ADD suggestions come from.
 */
import type { Trajectory } from '../../trajectory/schema';
import { PREVIOUS_SCORE_ATTR } from '../types';

export { PREVIOUS_SCORE_ATTR };

export interface SkippedTask {
  taskId: string;
  reason: string;
}

export function previousScore(t: Trajectory): number | undefined {
  const v = t.attrs?.[PREVIOUS_SCORE_ATTR];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

const perfect = (t: Trajectory) => t.outcome !== undefined && t.outcome.success && t.outcome.score >= 1;

export function tasksWithSignal(trajectories: readonly Trajectory[]): { kept: Trajectory[]; skipped: SkippedTask[] } {
  const kept: Trajectory[] = [];
  const skipped: SkippedTask[] = [];
  const sweep = trajectories.length > 0 && trajectories.every(perfect);
  for (const t of trajectories) {
    if (!t.outcome) skipped.push({ taskId: t.taskId, reason: 'it has no outcome (not evaluated)' });
    else if (t.outcome.details.failed === true) skipped.push({ taskId: t.taskId, reason: `its run failed (${String(t.outcome.details.reason ?? 'no reason recorded')})` });
    else if (!t.steps.length) skipped.push({ taskId: t.taskId, reason: 'its trajectory has no steps' });
    else if (sweep && !((previousScore(t) ?? 0) > t.outcome.score)) skipped.push({ taskId: t.taskId, reason: 'every task of the batch scored 1 and none regressed' });
    else kept.push(t);
  }
  return { kept, skipped };
}
