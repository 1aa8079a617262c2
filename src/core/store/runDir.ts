/**
 * The folder of a run that someone named: `.truce/runs/<id>/` and nowhere else. Run references
 * arrive from command lines (`--resume`, `--run`, `report <run>`), from the editor's commands and
 * from files inside runs (an optimize run lists its sub-runs); taken as a path, `../../x` or an
 * absolute path would read and write outside the store. So a reference must be a run id, and the
 * folder's real location must lie inside the real runs folder: a run folder that is a symbolic
 * link to somewhere else is refused as well.
 */
import { join } from 'node:path';
import { isWithin, realLocation } from '../workspacePath';
import { runsDir } from './paths';
import { isRunId } from './runId';

export class RunRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunRefError';
  }
}

/** The absolute folder of run `runId`; throws RunRefError when the reference is not a run of this workspace. */
export function runDir(workspaceRoot: string, runId: string): string {
  if (!isRunId(runId)) {
    throw new RunRefError(
      `"${runId}" is not a run id; a run is named by its id (like 20261122-004512-ab12), the name of its folder in .truce/runs/. ` +
        'Pick one from .truce/runs/ (or `truce report latest`).',
    );
  }
  const root = runsDir(workspaceRoot);
  const dir = join(root, runId);
  if (!isWithin(realLocation(root), realLocation(dir))) {
    throw new RunRefError(`The run folder .truce/runs/${runId} is a symbolic link that leads out of .truce/runs/; TRUCE reads and writes runs only inside it. Remove the link.`);
  }
  return dir;
}
