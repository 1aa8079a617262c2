/**
 * The ledger line of an edit that is being written. Replacing a prompt file and appending its ledger
 * line are two steps; a process killed between them left an edit in the file that the ledger did
 * not hold (revert could not find it, and applying again was refused as already done). So the line
 * is written here first, then the file is replaced, then the line is appended and this file
 * removed. Whoever next takes the ledger lock, or reads the ledger, finds a line left here and
 * settles it by the file itself: if the file holds what the line says the edit left, the edit
 * happened and the line belongs in the ledger; otherwise it did not.
 */
import { createHash } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TRUCE_DIR, writeJsonAtomic } from '../store';
import { workspaceEscape } from '../workspacePath';

/** What settling needs of a ledger line: the file it changed and the hash it left. */
export interface PendingLine {
  editId: string;
  file: string;
  afterSha256: string;
}

function pendingFile(workspaceRoot: string): string {
  return join(workspaceRoot, TRUCE_DIR, 'ledger.pending.json');
}

export function savePending(workspaceRoot: string, line: PendingLine): Promise<void> {
  return writeJsonAtomic(pendingFile(workspaceRoot), line);
}

export async function dropPending(workspaceRoot: string): Promise<void> {
  await unlink(pendingFile(workspaceRoot)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** The line left by an edit that reached its file, or undefined (none left, or the edit never landed). */
export async function landedPending<L extends PendingLine>(workspaceRoot: string): Promise<L | undefined> {
  let line: L;
  try {
    line = JSON.parse(await readFile(pendingFile(workspaceRoot), 'utf8')) as L;
  } catch {
    // None, or one torn by the same crash: the file it was written before was not replaced yet.
    return undefined;
  }
  if (typeof line?.file !== 'string' || typeof line.afterSha256 !== 'string' || workspaceEscape(workspaceRoot, line.file)) return undefined;
  const now = await readFile(resolve(workspaceRoot, line.file)).catch(() => undefined);
  return now && createHash('sha256').update(now).digest('hex') === line.afterSha256 ? line : undefined;
}
