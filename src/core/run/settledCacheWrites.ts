import type { PendingCacheWrites } from '../llm';
import type { TaskInterruption } from './taskContext';

/** Waits for the writes of one task (or, without one, all that are left); a failure becomes the run's stop reason. */
export async function settledCacheWrites(writes: PendingCacheWrites, taskId?: string): Promise<TaskInterruption | undefined> {
  try {
    if (taskId === undefined) await writes.settleAll();
    else await writes.settle(taskId);
    return undefined;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { status: 'failed', reason: `${detail}. Stopped so that no result is stored whose replies are not in the response cache; free the space or fix the permissions, then resume.` };
  }
}
