/**
 * The lock of an optimize run folder (store/runLock.ts), for the callers of the optimizer loop —
 * the CLI and the editor. A resume takes it before the loop reads the run, so a second resume of
 * the same run is refused with the holder's pid; a new run takes it as soon as its id is known
 * (the 'started' event), so nobody can resume a run that is still going.
 */
import { existsSync } from 'node:fs';
import { lockRunDir, runDir, type FileLock } from '../store';

export class OptimizeRunLock {
  private lock: FileLock | undefined;

  /** Before `optimize({ resumeRunId })`; throws RunRefError (not a run) or RunBusyError (in use). */
  resume(workspaceRoot: string, runId: string): void {
    const dir = runDir(workspaceRoot, runId);
    // A folder that does not exist is refused by the loop, with its own message.
    if (existsSync(dir)) this.lock = lockRunDir(dir, runId, 'resume');
  }

  /** On the loop's 'started' event; a no-op when the resume already holds the run. */
  started(workspaceRoot: string, runId: string): void {
    if (this.lock) return;
    try {
      this.lock = lockRunDir(runDir(workspaceRoot, runId), runId, 'optimize');
    } catch {
      // Only a process that guessed the brand-new id could hold it; the run goes on regardless.
    }
  }

  release(): void {
    this.lock?.release();
    this.lock = undefined;
  }
}
