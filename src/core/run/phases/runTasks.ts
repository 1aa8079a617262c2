/**
 * The pool of pending tasks, `concurrency` at a time: each is executed, scored and journaled in
 * its own task context (so every call is attributed to it). The pool stops starting tasks once the
 * run is cancelled, out of budget, cut off from its endpoint or unable to write its store; at the
 * end the gateway is closed and every write is flushed.
 */
import { settledCacheWrites } from '../settledCacheWrites';
import { runPool } from '../taskPool';
import { storeFailureOf } from '../storeWrite';
import { masCallHooks } from '../runGatewaySetup';
import { executeTask, type TaskAtWork } from './executeTask';
import { journalTask } from './journalTask';
import type { OpenRun, PendingTask } from './runState';
import { scoreTask } from './scoreTask';

export async function runTasks(run: OpenRun): Promise<void> {
  const { store, services, taskSignal } = run;
  const { taskContext, recorder } = services;
  // Tasks whose calls are done and whose records are being stored. A task gives its slot to the
  // next one as soon as its last call returned: waiting there for its cache writes and appends
  // kept a slot idle for tens of milliseconds per task, with the file-system thread pool busy.
  const storing = new Set<Promise<void>>();
  const runOne = ({ task, split }: PendingTask) =>
    taskContext.run(task.id, async (scope) => {
      run.scopes.set(task.id, scope);
      const work: TaskAtWork = { task, split, interrupted: () => scope.interruption !== undefined || taskSignal.aborted };
      // The task's calls need not wait for this record to reach the disk (a flushed append per
      // task kept slots idle between tasks); it is awaited before anything else about the task is
      // written, and the journal keeps appends in order.
      const started = store.journal({ event: 'task-started', taskId: task.id });
      started.catch(() => undefined);
      let stored: Promise<void>;
      try {
        const executed = await executeTask(run, work, masCallHooks(run, scope));
        const trajectory = 'ran' in executed ? await scoreTask(run, work, executed.ran, executed.answer) : 'failed' in executed ? executed.failed : undefined;
        stored = journalTask(run, work, { started, scope, trajectory });
      } catch (error) {
        // The execution and scoring phases turn the MAS's and the evaluator's errors into results;
        // anything else they throw is handled with the store's failures, as it always was.
        stored = journalTask(run, work, { started, scope, trajectory: undefined, thrown: error });
      }
      storing.add(stored);
      void stored.finally(() => {
        storing.delete(stored);
        run.scopes.delete(task.id);
      });
    });

  try {
    await runPool(run.plan.pending, run.plan.concurrency, runOne, () => taskSignal.aborted || recorder.interruption !== undefined || run.storeFailure !== undefined);
    while (storing.size > 0) await Promise.all([...storing]);
  } finally {
    // A record of the gateway that could not be written fails the run like any other store write.
    await run.gateway?.close().catch((error: unknown) => {
      run.storeFailure ??= storeFailureOf(error, store.dir, run.workspaceRoot, run.runId);
    });
  }
  // Writes outside any task (the probe's) are waited for here, so none is lost unnoticed.
  const strayFailure = await settledCacheWrites(services.cacheWrites);
  if (strayFailure) recorder.interrupt(strayFailure);
  try {
    await store.flush();
  } catch (error) {
    run.storeFailure ??= storeFailureOf(error, store.dir, run.workspaceRoot, run.runId);
  }
}
