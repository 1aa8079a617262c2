/**
 * A thumbs up or down on a trajectory of an attached run that is no longer recording (a session
 * that is still recording takes verdicts itself: AttachSession.rate). The run's lock is held while
 * its trajectories file is rewritten, so a `truce attach` still writing the run refuses the change
 * instead of losing it, and the file is replaced atomically.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomicWrite';
import { readJsonlFile } from '../store/jsonlFile';
import { readManifest } from '../store/loadRun';
import { RUN_FILES } from '../store/paths';
import { runDir } from '../store/runDir';
import { lockRunDir } from '../store/runLock';
import type { Outcome } from '../trajectory/schema';
import { automaticOutcome, userOutcome, type Verdict } from './liveOutcome';

export class RateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RateError';
  }
}

/** Sets (or, with null, takes back) the user's verdict; returns the trajectory's outcome now. */
export async function rateStoredTrajectory(workspaceRoot: string, runId: string, taskId: string, verdict: Verdict | null): Promise<Outcome | undefined> {
  const dir = runDir(workspaceRoot, runId);
  const manifest = await readManifest(dir);
  if (!manifest.attach) throw new RateError(`Run ${runId} was not recorded by attaching to a MAS; its outcomes come from its evaluator and are not rated by hand.`);
  const lock = lockRunDir(dir, runId, 'run');
  try {
    const file = join(dir, RUN_FILES.trajectories);
    const contents = await readJsonlFile(file);
    let found: Outcome | undefined | null = null;
    const lines = contents.lines.map(({ value }) => {
      const record = value as { taskId?: unknown; outcome?: Outcome };
      if (found !== null || record?.taskId !== taskId) return JSON.stringify(value);
      const automatic = automaticOutcome(record.outcome);
      const outcome = verdict === null ? automatic : userOutcome(verdict, automatic);
      const { outcome: _old, ...rest } = record;
      found = outcome;
      return JSON.stringify(outcome ? { ...rest, outcome } : rest);
    });
    if (found === null) throw new RateError(`Run ${runId} has no trajectory "${taskId}".`);
    await writeFileAtomic(file, lines.length ? `${lines.join('\n')}\n` : '');
    return found ?? undefined;
  } finally {
    lock.release();
  }
}
