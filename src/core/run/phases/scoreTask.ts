/**
 * Scoring phase, for one task: the evaluator scores the MAS's answer against the task's reference.
 * An evaluator error fails the task with its record kept; an interruption leaves it for a resume.
 */
import type { Trajectory } from '../../trajectory/schema';
import { failedTrajectory, scoredTrajectory } from '../scoredTrajectory';
import type { TaskAtWork } from './executeTask';
import type { OpenRun } from './runState';

export async function scoreTask(run: OpenRun, work: TaskAtWork, ran: Omit<Trajectory, 'outcome'>, answer: string): Promise<Trajectory | undefined> {
  const { task, split, interrupted } = work;
  const { evaluator } = run.services;
  let evaluation;
  try {
    evaluation = await evaluator.evaluate({ output: answer, ...(task.reference !== undefined ? { reference: task.reference } : {}), task, signal: run.taskSignal });
  } catch (error) {
    if (interrupted()) return undefined;
    return failedTrajectory(run.runId, task, split, `The evaluator stopped with an error: ${(error as Error).message}`, ran);
  }
  if (interrupted()) return undefined;
  return scoredTrajectory(ran, answer, evaluator.type, evaluation);
}
