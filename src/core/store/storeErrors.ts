/**
 * What to tell a user whose run store cannot be written. The system's own words ("EEXIST: file
 * already exists, mkdir …", "ENOSPC: no space left on device, write") say neither what is wrong
 * in their terms nor what to do; these messages say both, for the causes a user can fix.
 */
import { relative } from 'node:path';

export class RunStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunStoreError';
  }
}

/**
 * `target`: the file or folder that could not be written; `workspaceRoot` shortens it for the
 * message; `resume`: how to continue once it is fixed (omitted when nothing has run yet).
 */
export function describeStoreError(error: unknown, target: string, workspaceRoot: string, resume?: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const shown = relative(workspaceRoot, target) || target;
  const then = resume ? `, then resume with \`${resume}\` (finished tasks are kept and not run again)` : ', then run again';
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `Cannot write ${shown}: the disk is full (${code}); free some space${then}.`;
    case 'EACCES':
    case 'EPERM':
      return `Cannot write ${shown}: permission denied (${code}). Make .truce/ writable for you${then}.`;
    case 'EROFS':
      return `Cannot write ${shown}: the file system is read-only (EROFS). Run TRUCE in a writable copy of the workspace${then}.`;
    case 'EEXIST':
    case 'ENOTDIR':
      return `Cannot create the run folder: ${notAFolder(error, workspaceRoot) ?? shown} is a file, not a folder. TRUCE keeps runs in .truce/runs/; move it away or delete it${then}.`;
    case 'EISDIR':
      return `Cannot write ${shown}: a folder is where TRUCE keeps that file. Move the folder away${then}.`;
    default:
      return `Cannot write ${shown}: ${(error as Error)?.message ?? String(error)}. Fix what the system reports${then}.`;
  }
}

/** The path a mkdir found occupied, from the error (shown relative to the workspace). */
function notAFolder(error: unknown, workspaceRoot: string): string | undefined {
  const path = (error as NodeJS.ErrnoException | undefined)?.path;
  return path ? relative(workspaceRoot, path) || path : undefined;
}
