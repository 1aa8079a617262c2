/**
 * Finding a stored run that is the same run as the one about to start: same configuration (budget
 * and concurrency aside, as for resume), same prompt set, same task file, same task selection.
 * A caller that re-issues a run after a crash — the optimizer re-running the rollouts of an
 * unfinished round — can then take the finished run as it is, or resume the interrupted one,
 * instead of executing (and storing) every task a second time.
 */
import { listRuns, loadRun, type StoredRun } from '../store';
import type { SplitName } from '../tasks';

export interface RunIdentity {
  configHash: string;
  promptHash: string;
  taskFile: string;
  taskFileSha256: string;
  split: SplitName | 'all';
  limit?: number;
}

/** The newest stored run with this identity whose process is gone, or undefined. */
export async function findMatchingRun(workspaceRoot: string, identity: RunIdentity): Promise<StoredRun | undefined> {
  const runs = await listRuns(workspaceRoot);
  for (const listing of [...runs].reverse()) {
    // A run another process is still executing is not ours to take over.
    if (listing.state === 'running') continue;
    let run: StoredRun;
    try {
      run = await loadRun(workspaceRoot, listing.runId);
    } catch {
      continue;
    }
    const m = run.manifest;
    if (
      m.configHash === identity.configHash &&
      m.prompts.hash === identity.promptHash &&
      m.selection.taskFile === identity.taskFile &&
      m.selection.taskFileSha256 === identity.taskFileSha256 &&
      m.selection.split === identity.split &&
      m.selection.limit === identity.limit
    ) {
      return run;
    }
  }
  return undefined;
}

/** Every selected task has a stored result and the run says it completed. */
export function isComplete(run: StoredRun): boolean {
  const done = new Set(run.trajectories.map((t) => t.taskId));
  return run.manifest.status === 'completed' && run.manifest.selection.tasks.every((t) => done.has(t.id));
}
