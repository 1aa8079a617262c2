/**
 * Execution phase, for one task: run the MAS and check the record it returns. A MAS error or an
 * invalid record is a failed task (scored as a failure); a task that was interrupted (cancel,
 * budget, endpoint down) has no result and must run again on resume.
 */
import type { MasRunContext, MasTask } from '../../mas/types';
import type { SplitName } from '../../tasks';
import type { Trajectory } from '../../trajectory/schema';
import { checkedTrajectory, failedTrajectory } from '../scoredTrajectory';
import type { OpenRun } from './runState';

export type Execution =
  | { interrupted: true }
  | { failed: Trajectory }
  /** The MAS answered with a valid record, still to be scored. */
  | { ran: Omit<Trajectory, 'outcome'>; answer: string };

export interface TaskAtWork {
  task: MasTask;
  split: SplitName;
  /** Whether the task was interrupted by now (its own calls' errors, or the run's signal). */
  interrupted: () => boolean;
}

export async function executeTask(run: OpenRun, work: TaskAtWork, extras: Pick<MasRunContext, 'gateway' | 'onModelCalls'>): Promise<Execution> {
  const { runId, taskSignal: signal } = run;
  const { task, split, interrupted } = work;
  const executor = run.services.clients.executor;
  let result;
  try {
    result = await run.services.runner.run({ runId, task, prompts: run.prompts, ...(executor ? { executor } : {}), signal, ...extras });
  } catch (error) {
    if (interrupted()) return { interrupted: true };
    return { failed: failedTrajectory(runId, task, split, `The MAS stopped with an error: ${(error as Error).message}`) };
  }
  if (interrupted()) return { interrupted: true };
  if ('failed' in result) return { failed: failedTrajectory(runId, task, split, result.reason, result.partial) };
  const checked = checkedTrajectory(runId, task, split, result);
  if ('problems' in checked) return { failed: failedTrajectory(runId, task, split, `The MAS returned an invalid trajectory: ${checked.problems}`) };
  return { ran: checked.trajectory, answer: result.answer };
}
