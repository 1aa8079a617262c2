/**
 * Journal phase, for one task: once its replies are all in the response cache, its trajectory is
 * appended to the store and the journal and the caller are told how it ended; an interrupted task
 * is journaled as such and left for a resume. A failed store write halts the run.
 */
import type { Trajectory } from '../../trajectory/schema';
import { settledCacheWrites } from '../settledCacheWrites';
import { storeFailureOf } from '../storeWrite';
import type { TaskScope } from '../taskContext';
import type { TaskAtWork } from './executeTask';
import type { OpenRun } from './runState';

export interface TaskEnd {
  /** The journal's task-started append, which must land before anything else about the task. */
  started: Promise<void>;
  scope: TaskScope;
  /** Undefined when the task was interrupted. */
  trajectory: Trajectory | undefined;
  /** Something the execution threw that it does not turn into a result. */
  thrown?: unknown;
}

export async function journalTask(run: OpenRun, work: TaskAtWork, end: TaskEnd): Promise<void> {
  const { store, options, services } = run;
  const { task } = work;
  const { scope, trajectory } = end;
  try {
    if (end.thrown !== undefined) throw end.thrown;
    await end.started;
    const cacheFailure = await settledCacheWrites(services.cacheWrites, task.id);
    if (cacheFailure) {
      // The task's replies are not all cached: storing its trajectory would break replay and
      // make a resume skip a task whose calls it would have to pay for again. The task is left
      // for a resume, and the run stops (the next task's writes would fail the same way).
      scope.interruption ??= cacheFailure;
      services.recorder.interrupt(cacheFailure);
    }
    if (!trajectory || cacheFailure) {
      const reason = scope.interruption?.reason ?? abortReason(run.taskSignal);
      await store.journal({ event: 'task-interrupted', taskId: task.id, reason });
      options.onProgress?.({ type: 'interrupted', taskId: task.id, reason });
      return;
    }
    await store.appendTrajectory(trajectory);
    run.results.push(trajectory);
    const done = run.results.length;
    const failure = trajectory.outcome?.details.failed === true ? String(trajectory.outcome.details.reason) : undefined;
    const outcome = trajectory.outcome as NonNullable<Trajectory['outcome']>;
    await store.journal(
      failure !== undefined
        ? { event: 'task-failed', taskId: task.id, reason: failure }
        : { event: 'task-finished', taskId: task.id, score: outcome.score, success: outcome.success },
    );
    options.onProgress?.({
      type: 'task',
      taskId: task.id,
      split: work.split,
      score: outcome.score,
      success: outcome.success,
      ...(failure !== undefined ? { failure } : {}),
      done,
      total: run.plan.selection.length,
      usage: services.accounting.snapshot().total,
    });
  } catch (error) {
    // Only the store can fail here; without it nothing more can be recorded.
    run.storeFailure ??= storeFailureOf(error, store.dir, run.workspaceRoot, run.runId);
    run.halt.abort(run.storeFailure);
  }
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  return 'cancelled';
}
