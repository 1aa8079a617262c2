/**
 * The edit ledger: every suggestion applied to a prompt file on disk is recorded in
 * `.truce/ledger.jsonl` with the file's exact bytes before and after (content-addressed blobs in
 * `.truce/ledger/blobs/<sha256>`), their hashes, the run and suggestion it came from and the
 * evidence. Files are replaced atomically. `revertEdit` puts the exact previous bytes back — but
 * only while the file still is what the edit left, because restoring over later changes would
 * silently throw them away; otherwise it refuses and says why.
 *
 * Two processes may apply at once (two terminals, the editor and the CLI). Every write of a prompt
 * file and every ledger append happens under one workspace lock (`.truce/ledger.lock`), and the
 * file is read again under it: an edit planned against bytes that changed meanwhile is refused
 * rather than written over the other edit, so the ledger always describes the file's history.
 * Files are written through symbolic links, keeping their mode (replaceUserFile.ts). The ledger line
 * of an edit being written is kept aside until it is appended (ledgerPending.ts), so a crash between
 * replacing a file and recording it is settled from the file later.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TruceConfig } from '../config';
import { describeOwner, FileChangedError, JsonlAppender, LockTimeoutError, readJsonlFile, replaceUserFile, TRUCE_DIR, waitForLock, writeFileAtomic } from '../store';
import type { UnitEdit } from '../units';
import { promptBytes, readPromptFile } from '../promptFileGuard';
import { testPause } from '../testPause';
import { workspaceEscape } from '../workspacePath';
import { applySuggestions, type ApplyStatus } from './applySuggestions';
import type { Suggestion, SuggestionEvidence } from '../credit/types';
import { dropPending, landedPending, savePending } from './ledgerPending';
import { unifiedDiff } from './unifiedDiff';

export interface LedgerEntry {
  editId: string;
  ts: string;
  kind: 'apply' | 'revert';
  file: string;
  agentId: string;
  suggestionId?: string;
  runId?: string;
  edit?: UnitEdit;
  rationale?: string;
  evidence?: SuggestionEvidence[];
  beforeSha256: string;
  afterSha256: string;
  /** For a revert: the edit it undid. */
  revertOf?: string;
}

export interface AppliedEdit {
  /** Workspace-relative path of the prompt file. */
  file: string;
  beforeBytes: Buffer;
  afterBytes: Buffer;
  suggestion: Suggestion;
  runId?: string;
  now?: () => Date;
}

/**
 * Records an applied edit: both versions as content-addressed blobs, then (after `write`, when the
 * caller writes the file itself) one ledger entry. The CLI's apply and the editor's WorkspaceEdit
 * both end here, so `revertEdit` can undo either.
 */
export async function recordAppliedEdit(workspaceRoot: string, edit: AppliedEdit, write?: () => Promise<void>): Promise<LedgerEntry> {
  const locked = await withLedgerLock(workspaceRoot, 'record', async () => ({ ok: true as const, entry: await recordUnlocked(workspaceRoot, edit, write), diff: '' }));
  if (!locked.ok) throw new Error(locked.reason);
  return locked.entry;
}

/** The caller holds the ledger lock. */
async function recordUnlocked(workspaceRoot: string, edit: AppliedEdit, write?: () => Promise<void>): Promise<LedgerEntry> {
  const beforeSha256 = await putBlob(workspaceRoot, edit.beforeBytes);
  const afterSha256 = await putBlob(workspaceRoot, edit.afterBytes);
  const { suggestion } = edit;
  const entry: LedgerEntry = {
    editId: `e-${sha256(`${beforeSha256}:${afterSha256}:${suggestion.id}:${randomBytes(4).toString('hex')}`).slice(0, 12)}`,
    ts: (edit.now ?? (() => new Date()))().toISOString(),
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
  if (write) await writeAsPending(workspaceRoot, entry, write);
  await appendLedger(workspaceRoot, entry);
  await dropPending(workspaceRoot);
  return entry;
}

/** Replaces the file with its ledger line kept aside meanwhile (ledgerPending.ts): a crash in between is settled later. */
async function writeAsPending(workspaceRoot: string, entry: LedgerEntry, write: () => Promise<void>): Promise<void> {
  await savePending(workspaceRoot, entry);
  try {
    await write();
  } catch (error) {
    await dropPending(workspaceRoot);
    throw error;
  }
}

/** A line an interrupted apply or revert left aside goes into the ledger if its edit reached the file. */
async function settlePending(workspaceRoot: string): Promise<void> {
  const landed = await landedPending<LedgerEntry>(workspaceRoot);
  if (landed) {
    const contents = await readJsonlFile(ledgerFile(workspaceRoot));
    if (!contents.lines.some((l) => (l.value as LedgerEntry).editId === landed.editId)) await appendLedger(workspaceRoot, landed);
  }
  await dropPending(workspaceRoot);
}

export function ledgerFile(workspaceRoot: string): string {
  return join(workspaceRoot, TRUCE_DIR, 'ledger.jsonl');
}

/** How long an apply or revert waits for another process's edit (they take milliseconds). */
const LEDGER_LOCK_WAIT_MS = 30_000;

/** Runs `work` holding the workspace's edit lock; a holder that does not let go in time is a refusal. */
async function withLedgerLock(workspaceRoot: string, purpose: string, work: () => Promise<LedgerOutcome>): Promise<LedgerOutcome> {
  let lock;
  try {
    await mkdir(join(workspaceRoot, TRUCE_DIR), { recursive: true });
    lock = await waitForLock(join(workspaceRoot, TRUCE_DIR, 'ledger.lock'), purpose, LEDGER_LOCK_WAIT_MS);
  } catch (error) {
    if (!(error instanceof LockTimeoutError)) throw error;
    return { ok: false, status: 'refused', reason: `Another TRUCE process (${describeOwner(error.owner)}) has been editing prompt files of this workspace for ${LEDGER_LOCK_WAIT_MS / 1000} s; try again when it has finished.` };
  }
  try {
    await settlePending(workspaceRoot);
    return await work();
  } finally {
    lock.release();
  }
}

function blobPath(workspaceRoot: string, sha: string): string {
  return join(workspaceRoot, TRUCE_DIR, 'ledger', 'blobs', sha);
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

async function putBlob(workspaceRoot: string, data: Buffer): Promise<string> {
  const sha = sha256(data);
  // Readable by the owner only: a blob is a whole prompt file, which may be private (mode 0600) while
  // the default would let every user of the machine read its copy here.
  await writeFileAtomic(blobPath(workspaceRoot, sha), data, { mode: 0o600 });
  return sha;
}

export async function readLedger(workspaceRoot: string): Promise<LedgerEntry[]> {
  const contents = await readJsonlFile(ledgerFile(workspaceRoot));
  const entries = contents.lines.map((l) => l.value as LedgerEntry);
  // An edit that reached its file but not yet the ledger (being written now, or cut short by a crash).
  const landed = await landedPending<LedgerEntry>(workspaceRoot);
  if (landed && !entries.some((e) => e.editId === landed.editId)) entries.push(landed);
  return entries;
}

async function appendLedger(workspaceRoot: string, entry: LedgerEntry): Promise<void> {
  const { appender } = await JsonlAppender.open(ledgerFile(workspaceRoot), { durable: true });
  await appender.append(entry);
  await appender.flush();
}

export type PlannedFileEdit =
  | { ok: true; file: string; before: string; after: string; diff: string }
  | { ok: false; status: ApplyStatus; reason: string };

/** The edit a suggestion would make to the file as it is on disk now (for dry runs and apply). */
export async function planSuggestionOnDisk(workspaceRoot: string, config: Pick<TruceConfig, 'agents'>, suggestion: Suggestion): Promise<PlannedFileEdit> {
  const escape = workspaceEscape(workspaceRoot, suggestion.file);
  if (escape) return { ok: false, status: 'rejected', reason: `Refusing to edit ${suggestion.file}: ${escape}; suggestions may only edit prompt files inside the workspace.` };
  let before: string;
  try {
    before = await readPromptFile(resolve(workspaceRoot, suggestion.file), suggestion.file);
  } catch (error) {
    return { ok: false, status: 'stale', reason: `Cannot read ${suggestion.file}: ${(error as Error).message}` };
  }
  const { texts, results } = await applySuggestions(config, { [suggestion.file]: before }, [suggestion]);
  const r = results[0];
  if (r.status !== 'applied') return { ok: false, status: r.status, reason: r.reason ?? r.status };
  const after = texts[suggestion.file];
  return { ok: true, file: suggestion.file, before, after, diff: unifiedDiff(before, after, suggestion.file) };
}

export type LedgerOutcome = { ok: true; entry: LedgerEntry; diff: string } | { ok: false; status: ApplyStatus | 'refused'; reason: string };

export async function applySuggestionToDisk(
  workspaceRoot: string,
  config: Pick<TruceConfig, 'agents'>,
  suggestion: Suggestion,
  runId?: string,
  now: () => Date = () => new Date(),
): Promise<LedgerOutcome> {
  const escape = workspaceEscape(workspaceRoot, suggestion.file);
  if (escape) return { ok: false, status: 'refused', reason: `Refusing to edit ${suggestion.file}: ${escape}; suggestions may only edit prompt files inside the workspace.` };
  const path = resolve(workspaceRoot, suggestion.file);
  const beforeBytes = await readFile(path).catch(() => undefined);
  if (!beforeBytes) return { ok: false, status: 'stale', reason: `Cannot read ${suggestion.file}.` };
  const planned = await planSuggestionOnDisk(workspaceRoot, config, suggestion);
  if (!planned.ok) return planned;
  if (sha256(promptBytes(planned.before, beforeBytes)) !== sha256(beforeBytes)) {
    // The plan read the file again: a save in between also makes the two differ, and is no encoding problem.
    const now = await readFile(path).catch(() => undefined);
    if (!now || !now.equals(beforeBytes)) return fileChanged(suggestion.file);
    // Not UTF-8 clean: writing the decoded text back would change bytes the edit never touched.
    return { ok: false, status: 'refused', reason: `${suggestion.file} is not valid UTF-8; TRUCE edits only UTF-8 prompt files.` };
  }
  const afterBytes = promptBytes(planned.after, beforeBytes);
  await testPause('apply');
  return withLedgerLock(workspaceRoot, 'apply', async () => {
    // Read again under the lock: another apply may have written the file since it was planned.
    const current = await readFile(path).catch(() => undefined);
    if (!current || sha256(current) !== sha256(beforeBytes)) return fileChanged(suggestion.file);
    // Blobs first, then the file, then the entry: a crash in between leaves nothing to revert wrongly.
    // The file is compared again right before it is replaced: the lock keeps other applies out, not
    // an editor saving while the blobs and the new file are written and flushed.
    try {
      const write = async (): Promise<void> => {
        await testPause('replace');
        await replaceUserFile(path, afterBytes, beforeBytes);
      };
      const entry = await recordUnlocked(workspaceRoot, { file: suggestion.file, beforeBytes, afterBytes, suggestion, ...(runId ? { runId } : {}), now }, write);
      return { ok: true, entry, diff: planned.diff };
    } catch (error) {
      if (error instanceof FileChangedError) return fileChanged(suggestion.file);
      throw error;
    }
  });
}

function fileChanged(file: string): LedgerOutcome {
  return {
    ok: false,
    status: 'stale',
    reason: `the file changed; re-run suggest. ${file} was edited (by another apply, or by hand) after this suggestion was checked against it, and writing it now would undo that edit.`,
  };
}

export async function revertEdit(workspaceRoot: string, editId: string, now: () => Date = () => new Date()): Promise<LedgerOutcome> {
  return withLedgerLock(workspaceRoot, 'revert', () => revertUnlocked(workspaceRoot, editId, now));
}

async function revertUnlocked(workspaceRoot: string, editId: string, now: () => Date): Promise<LedgerOutcome> {
  const entries = await readLedger(workspaceRoot);
  const target = entries.find((e) => e.editId === editId && e.kind === 'apply');
  if (!target) return { ok: false, status: 'refused', reason: `There is no applied edit ${editId} in ${ledgerFile(workspaceRoot)}.` };
  const undone = entries.find((e) => e.kind === 'revert' && e.revertOf === editId);
  if (undone) return { ok: false, status: 'refused', reason: `Edit ${editId} was already reverted (${undone.editId}, ${undone.ts}).` };
  const escape = workspaceEscape(workspaceRoot, target.file);
  if (escape) return { ok: false, status: 'refused', reason: `Cannot revert ${editId}: ${target.file} is not a file of this workspace (${escape}).` };
  if (!/^[0-9a-f]{64}$/.test(target.beforeSha256)) return { ok: false, status: 'refused', reason: `Cannot revert ${editId}: its ledger entry names no valid saved copy.` };
  const path = resolve(workspaceRoot, target.file);
  const current = await readFile(path).catch(() => undefined);
  if (!current) return { ok: false, status: 'refused', reason: `Cannot revert ${editId}: ${target.file} does not exist any more.` };
  const currentSha = sha256(current);
  if (currentSha !== target.afterSha256) {
    return {
      ok: false,
      status: 'refused',
      reason: `Cannot revert ${editId}: ${target.file} changed since the edit was applied (its content hash is ${currentSha.slice(0, 12)}, the edit left ${target.afterSha256.slice(0, 12)}). Reverting would discard those later changes; undo them first or edit the file by hand.`,
    };
  }
  let before: Buffer;
  try {
    before = await readFile(blobPath(workspaceRoot, target.beforeSha256));
  } catch {
    return { ok: false, status: 'refused', reason: `Cannot revert ${editId}: the saved copy of ${target.file} (${target.beforeSha256.slice(0, 12)}) is missing from .truce/ledger/blobs.` };
  }
  if (sha256(before) !== target.beforeSha256) return { ok: false, status: 'refused', reason: `Cannot revert ${editId}: the saved copy of ${target.file} is damaged (hash mismatch).` };
  const entry: LedgerEntry = {
    editId: `e-${sha256(`revert:${editId}:${randomBytes(4).toString('hex')}`).slice(0, 12)}`,
    ts: now().toISOString(),
    kind: 'revert',
    file: target.file,
    agentId: target.agentId,
    ...(target.suggestionId ? { suggestionId: target.suggestionId } : {}),
    beforeSha256: target.afterSha256,
    afterSha256: target.beforeSha256,
    revertOf: editId,
  };
  try {
    // Compared again right before the file is replaced: a save since the check above is kept.
    await writeAsPending(workspaceRoot, entry, () => replaceUserFile(path, before, current));
  } catch (error) {
    if (!(error instanceof FileChangedError)) throw error;
    return { ok: false, status: 'refused', reason: `Cannot revert ${editId}: ${target.file} changed while it was being reverted; nothing was written. Look at the file, then revert again.` };
  }
  await appendLedger(workspaceRoot, entry);
  await dropPending(workspaceRoot);
  return { ok: true, entry, diff: unifiedDiff(current.toString('utf8'), before.toString('utf8'), target.file) };
}

/** The prompt versions of one agent, oldest first: each applied or reverted edit with its hashes. */
export async function promptHistory(workspaceRoot: string, agentId: string): Promise<LedgerEntry[]> {
  return (await readLedger(workspaceRoot)).filter((e) => e.agentId === agentId);
}
