import { dirname } from 'node:path';
import { describeStoreError, lockRunDir, RunBusyError, RunStoreError, type FileLock, type RunLockPurpose } from '../store';
import { RunSetupError } from './runErrors';

/** Takes the run folder's lock into `held`, or refuses with who holds it. */
export function lockRun(dir: string, runId: string, purpose: RunLockPurpose, held: FileLock[]): void {
  try {
    held.push(lockRunDir(dir, runId, purpose));
  } catch (error) {
    if (error instanceof RunBusyError) throw new RunSetupError(error.message);
    // The lock file could not be written: the run folder is not writable (permissions, full disk).
    // `dir` is <workspace>/.truce/runs/<id>.
    const workspaceRoot = dirname(dirname(dirname(dir)));
    throw new RunStoreError(describeStoreError(error, dir, workspaceRoot, purpose === 'resume' ? `truce run --resume ${runId}` : undefined));
  }
}
