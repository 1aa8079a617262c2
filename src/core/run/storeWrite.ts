import { describeStoreError, RunStoreError } from '../store';
import { RunSetupError } from './runErrors';

/**
 * A write to the run store whose failure ends the run with what is wrong and what to do (storeErrors.ts)
 * instead of the system's error. `earlier`: a store failure already seen in the run, reported
 * instead of the follow-up one (a full disk fails every later write the same way).
 */
export async function storeWrite<T>(workspaceRoot: string, target: string, runId: string | undefined, write: () => Promise<T>, earlier?: Error): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof RunSetupError || error instanceof RunStoreError) throw error;
    if (earlier) throw new RunStoreError(earlier.message);
    throw new RunStoreError(describeStoreError(error, target, workspaceRoot, runId ? `truce run --resume ${runId}` : undefined));
  }
}

/** A store failure seen during the run, in the words that say how to go on. */
export function storeFailureOf(error: unknown, dir: string, workspaceRoot: string, runId: string): Error {
  return new Error(describeStoreError(error, dir, workspaceRoot, `truce run --resume ${runId}`));
}
