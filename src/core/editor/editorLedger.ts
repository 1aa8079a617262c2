/**
 * Ledger entries for edits applied through the editor. The core ledger (`applySuggestionToDisk`)
 * writes the file itself; an editor applies a suggestion as a WorkspaceEdit instead (one undoable
 * step), so it records the edit here with the same entry shape, the same content-addressed blobs
 * and the same hashes — which is what lets `revertEdit` and `truce revert` undo it later.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { recordAppliedEdit, type LedgerEntry } from '../optimize/ledger';
import { promptBytes } from '../promptFileGuard';
import type { Suggestion } from '../credit/types';

export interface EditorEdit {
  /** Workspace-relative path of the prompt file, forward slashes. */
  file: string;
  /** The file's full text before and after the edit (what is saved to disk). */
  before: string;
  after: string;
  suggestion: Suggestion;
  runId?: string;
}

/** The editor has already written the file (a saved WorkspaceEdit); only the record is added. */
export async function recordEditorEdit(workspaceRoot: string, edit: EditorEdit, now: () => Date = () => new Date()): Promise<LedgerEntry> {
  // The editor's text has no byte-order mark, but it saves a file that had one with it: the saved
  // bytes say which, so the recorded hashes are those of the file on disk and a revert matches them.
  const saved = await readFile(resolve(workspaceRoot, edit.file)).catch(() => Buffer.alloc(0));
  return recordAppliedEdit(workspaceRoot, {
    file: edit.file,
    beforeBytes: promptBytes(edit.before, saved),
    afterBytes: promptBytes(edit.after, saved),
    suggestion: edit.suggestion,
    ...(edit.runId ? { runId: edit.runId } : {}),
    now,
  });
}

/** Suggestions applied and not reverted since, from the ledger's entries in order. */
export function appliedSuggestionIds(entries: readonly LedgerEntry[]): Set<string> {
  const reverted = new Set(entries.filter((e) => e.kind === 'revert' && e.revertOf).map((e) => e.revertOf));
  return new Set(entries.filter((e) => e.kind === 'apply' && e.suggestionId && !reverted.has(e.editId)).map((e) => e.suggestionId as string));
}
