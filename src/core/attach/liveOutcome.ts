/**
 * The outcome of an attached trace, from the strongest evidence there is:
 *  1. the user's verdict (thumbs up or down in the panel) — a person looked at it;
 *  2. a score the MAS put on its own spans (`truce.outcome.score`), read by the importer;
 *  3. the configured evaluator on the trace's answer, with the reference of the task it matched.
 * Without any of them the trajectory stays unscored: credit only learns from scored ones, and a
 * guessed zero would teach it something false. A verdict keeps the automatic outcome it replaced,
 * so taking the verdict back restores it.
 */
import type { Evaluator } from '../eval';
import { scoredTrajectory } from '../run/scoredTrajectory';
import type { Outcome, Trajectory } from '../trajectory/schema';
import type { TaskMatch } from './taskMatcher';

export type Verdict = 'up' | 'down';
export const VERDICTS: readonly Verdict[] = ['up', 'down'];

export function userOutcome(verdict: Verdict, automatic: Outcome | undefined): Outcome {
  return {
    score: verdict === 'up' ? 1 : 0,
    success: verdict === 'up',
    details: { source: 'user', verdict, ...(automatic ? { automatic } : {}) },
  };
}

export function verdictOf(outcome: Outcome | undefined): Verdict | undefined {
  if (outcome?.details.source !== 'user') return undefined;
  const verdict = outcome.details.verdict;
  return verdict === 'up' || verdict === 'down' ? verdict : undefined;
}

/** The outcome without the user's verdict: the automatic one it replaced, if any. */
export function automaticOutcome(outcome: Outcome | undefined): Outcome | undefined {
  if (verdictOf(outcome) === undefined) return outcome;
  const automatic = outcome?.details.automatic as Outcome | undefined;
  return automatic && typeof automatic.score === 'number' && typeof automatic.success === 'boolean' ? automatic : undefined;
}

/** What the MAS answered: the trace's declared final output, else the last step's output. */
export function answerOf(trajectory: Trajectory): string | undefined {
  const final = trajectory.attrs?.finalOutput;
  if (typeof final === 'string') return final;
  if (final !== undefined && final !== null) return JSON.stringify(final);
  return trajectory.steps[trajectory.steps.length - 1]?.output;
}

export interface LiveScore {
  outcome?: Outcome;
  /** Why there is no outcome, for the trajectory's attrs and the log. */
  note?: string;
}

/** The evaluator's outcome for a trajectory, or why it has none. Never throws for a bad answer. */
export async function evaluateTrajectory(trajectory: Trajectory, match: TaskMatch | undefined, evaluator: Evaluator, signal?: AbortSignal): Promise<LiveScore> {
  const answer = answerOf(trajectory);
  if (answer === undefined) return { note: 'the trace has no answer to score yet' };
  const task = match?.task;
  const result = await evaluator.evaluate({
    output: answer,
    ...(task?.reference !== undefined ? { reference: task.reference } : {}),
    task: task ? { ...task } : { input: trajectory.task?.input ?? '' },
    ...(signal ? { signal } : {}),
  });
  if (result.error) {
    const why = result.error.kind === 'missing-reference' && !task ? 'no task of the tasks file matches its input' : result.error.message;
    return { note: `not scored by the ${evaluator.type} evaluator: ${why}; rate it with thumbs up or down in the trajectory panel` };
  }
  const scored = scoredTrajectory(trajectory, answer, evaluator.type, result).outcome as Outcome;
  return { outcome: { ...scored, details: { ...scored.details, source: 'evaluator', ...(task ? { task: task.id, matchedBy: match?.by } : {}) } } };
}
