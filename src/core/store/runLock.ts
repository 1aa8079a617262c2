/**
 * A run folder is worked on by one process at a time. Two `truce run --resume RUN` (or an optimize
 * resume next to the run it resumes) would each run every pending task, pay for every call twice
 * and interleave their records. The process that runs, resumes or optimizes in a run folder holds
 * its lock file for as long as it writes there; a second one is refused with the holder's pid.
 * The lock of a process that died is taken over (fileLock.ts).
 */
import { join } from 'node:path';
import { describeOwner, tryLock, type FileLock } from './fileLock';

export const RUN_LOCK_FILE = 'owner.lock';

export type RunLockPurpose = 'run' | 'resume' | 'optimize' | 'credit' | 'intervene';

const VERB: Record<string, string> = { run: 'run', resume: 'resumed', optimize: 'optimized', credit: 'credited', intervene: 'intervened on' };

export class RunBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunBusyError';
  }
}

/** Takes the run folder's lock or throws RunBusyError naming the process that holds it. */
export function lockRunDir(dir: string, runId: string, purpose: RunLockPurpose): FileLock {
  const attempt = tryLock(join(dir, RUN_LOCK_FILE), purpose);
  if (attempt.ok) return attempt.lock;
  const verb = VERB[attempt.owner?.purpose ?? ''] ?? 'used';
  throw new RunBusyError(
    `run ${runId} is being ${verb} by ${describeOwner(attempt.owner)}; wait for it to finish (or stop that process) and try again.`,
  );
}
