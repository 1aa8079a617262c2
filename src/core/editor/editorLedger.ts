/**
 * Ledger entries for edits applied through the editor. The core ledger (`applySuggestionToDisk`)
 * writes the file itself; an editor applies a suggestion as a WorkspaceEdit instead (one undoable
 * step), so it records the edit here with the same entry shape, the same content-addressed blobs
 * and the same hashes — which is what lets `revertEdit` and `truce revert` undo it later.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ledgerFile, type LedgerEntry } from '../optimize/ledger';
import type { Suggestion } from '../optimize/types';
import { JsonlAppender, TRUCE_DIR, writeFileAtomic } from '../store';

export interface EditorEdit {
  /** Workspace-relative path of the prompt file, forward slashes. */
  file: string;
  /** The file's full text before and after the edit (what is saved to disk). */
  before: string;
  after: string;
  suggestion: Suggestion;
  runId?: string;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Must match the core ledger's blob location: `revertEdit` restores from there. */
function blobPath(workspaceRoot: string, sha: string): string {
  return join(workspaceRoot, TRUCE_DIR, 'ledger', 'blobs', sha);
}

export async function recordEditorEdit(workspaceRoot: string, edit: EditorEdit, now: () => Date = () => new Date()): Promise<LedgerEntry> {
  const beforeBytes = Buffer.from(edit.before, 'utf8');
  const afterBytes = Buffer.from(edit.after, 'utf8');
  const beforeSha256 = sha256(beforeBytes);
  const afterSha256 = sha256(afterBytes);
  await writeFileAtomic(blobPath(workspaceRoot, beforeSha256), beforeBytes);
  await writeFileAtomic(blobPath(workspaceRoot, afterSha256), afterBytes);
  const { suggestion } = edit;
  const entry: LedgerEntry = {
    editId: `e-${sha256(Buffer.from(`${beforeSha256}:${afterSha256}:${suggestion.id}:${randomBytes(4).toString('hex')}`)).slice(0, 12)}`,
    ts: now().toISOString(),
    kind: 'apply',
    file: edit.file,
    agentId: suggestion.edit.agentId,
    suggestionId: suggestion.id,
    ...(edit.runId ? { runId: edit.runId } : {}),
    edit: suggestion.edit,
    rationale: suggestion.rationale,
    evidence: suggestion.evidence,
    beforeSha256,
    afterSha256,
  };
  await mkdir(dirname(ledgerFile(workspaceRoot)), { recursive: true });
  const { appender } = await JsonlAppender.open(ledgerFile(workspaceRoot), { durable: true });
  await appender.append(entry);
  await appender.flush();
  return entry;
}

/** Suggestions applied and not reverted since, from the ledger's entries in order. */
export function appliedSuggestionIds(entries: readonly LedgerEntry[]): Set<string> {
  const reverted = new Set(entries.filter((e) => e.kind === 'revert' && e.revertOf).map((e) => e.revertOf));
  return new Set(entries.filter((e) => e.kind === 'apply' && e.suggestionId && !reverted.has(e.editId)).map((e) => e.suggestionId as string));
}
