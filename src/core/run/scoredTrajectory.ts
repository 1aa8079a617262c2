/**
 * Turns what a runner returned into the trajectory the store keeps: the run and task ids made
 * authoritative, the task and its split attached, and the outcome filled in — from the evaluator
 * for an answer, or as a recorded failure (score 0, success false, the reason in the details).
 */
import type { EvalResult } from '../eval';
import type { MasRunResult, MasTask } from '../mas/types';
import type { SplitName } from '../tasks';
import type { Trajectory } from '../trajectory/schema';
import { validateTrajectory } from '../trajectory/validate';

type Unscored = Omit<Trajectory, 'outcome'>;

const ANSWER_PREVIEW = 2000;

function preview(text: string): string {
  return text.length <= ANSWER_PREVIEW ? text : `${text.slice(0, ANSWER_PREVIEW)}… (${text.length - ANSWER_PREVIEW} more characters)`;
}

function withTask(base: Unscored | undefined, runId: string, task: MasTask, split: SplitName): Unscored {
  const trajectory: Unscored = base
    ? { ...base, runId, taskId: task.id }
    : { runId, taskId: task.id, agents: [], rounds: [], steps: [], usage: { in: 0, out: 0 } };
  trajectory.task = task.reference === undefined ? { input: task.input } : { input: task.input, reference: task.reference };
  trajectory.attrs = { ...(base?.attrs ?? {}), split };
  return trajectory;
}

export function failedTrajectory(runId: string, task: MasTask, split: SplitName, reason: string, partial?: Unscored): Trajectory {
  const details = { failed: true, reason };
  const candidate: Trajectory = { ...withTask(partial, runId, task, split), outcome: { score: 0, success: false, details } };
  // A partial record that does not validate is dropped rather than stored broken; the reason stays.
  if (partial && !validateTrajectory(candidate).ok) {
    return { ...withTask(undefined, runId, task, split), outcome: { score: 0, success: false, details: { ...details, partialDropped: true } } };
  }
  return candidate;
}

/** The trajectory to score, or the problems that make the runner's record unusable. */
export function checkedTrajectory(runId: string, task: MasTask, split: SplitName, result: MasRunResult): { trajectory: Unscored } | { problems: string } {
  const candidate = withTask(result.trajectory, runId, task, split);
  const checked = validateTrajectory(candidate);
  if (checked.ok) return { trajectory: candidate };
  return { problems: checked.problems.slice(0, 5).map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ') };
}

export function scoredTrajectory(trajectory: Unscored, answer: string, evaluatorType: string, result: EvalResult): Trajectory {
  const details: Record<string, unknown> = typeof result.details === 'string' ? { text: result.details } : { ...result.details };
  details.evaluator = evaluatorType;
  details.answer = preview(answer);
  if (result.error) details.evalError = result.error;
  return { ...trajectory, outcome: { score: result.score, success: result.success, details } };
}
