/**
 * Where a resumed optimize run continues: the state at the end of its last round record.
 *
 * The round record (one line of optimize.jsonl) is the commit point of a round. Everything else a
 * round writes — credit.jsonl, credit.json, suggestions.json, prompts.json — is written before its
 * record, so a kill can leave those files one round ahead of the records. A resume then redoes
 * that round, and it must redo it from the state the records describe, not from the half-written
 * one: with the best set that round started from (not the one it may have accepted), without the
 * suggestions and credit signals it already appended, with the scores the earlier rounds saw (the
 * previous-score attribute TRUCE's skip test reads) and with the method's carried state (BCD's EMA
 * and phase). Redone that way, the round asks the same questions as before, so the response cache
 * answers them and the result equals an uninterrupted run's.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadRun, writeFileAtomic } from '../store';
import type { PromptTexts } from '../credit/agentUnits';
import { OPTIMIZE_FILES, type PromptsFile } from './optimizeStore';
import type { Suggestion } from '../credit/types';

/** The fields of a round record a resume reads. */
export interface CommittedRound {
  round: number;
  rolloutRunId: string;
  bestHash: string;
  /** The best set's texts, on the rounds that changed it. */
  bestTexts?: PromptTexts;
  /** The credit method's carried state after the round. */
  methodState?: unknown;
  /** Lines of credit.jsonl once the round's signals were appended. */
  creditLines?: number;
}

export class ResumeError extends Error {}

/**
 * The best set after the last committed round: the texts of the last record that stored them, or
 * the stored prompts / initial set when their hash is the one the last record names. Checked by hash,
 * so prompts.json written ahead of a record that never came is never taken for the best set.
 */
export async function committedBest(records: readonly CommittedRound[], prompts: PromptsFile, setHash: (texts: PromptTexts) => Promise<string>): Promise<PromptTexts> {
  const last = records[records.length - 1];
  const want = last?.bestHash ?? prompts.initialHash;
  const candidates: PromptTexts[] = [];
  for (let i = records.length - 1; i >= 0; i--) {
    const texts = records[i].bestTexts;
    if (texts) {
      candidates.push(texts);
      break;
    }
  }
  candidates.push(prompts.best, prompts.initial);
  for (const texts of candidates) if ((await setHash(texts)) === want) return { ...texts };
  throw new ResumeError(`the best prompt set after round ${last?.round ?? 0} (${want}) is not stored in the run`);
}

/** Suggestions of committed rounds only; a round redone appends its own again. */
export function committedSuggestions<T extends Pick<Suggestion, 'id'> & { round: number }>(suggestions: readonly T[], rounds: number): T[] {
  return suggestions.filter((s) => s.round <= rounds);
}

/**
 * Task id → the score the latest committed rollout gave it, rebuilt in round order as the loop
 * builds it. A rollout run that cannot be read any more (removed by hand) adds nothing.
 */
export async function committedScores(workspaceRoot: string, records: readonly CommittedRound[]): Promise<Map<string, number>> {
  const scores = new Map<string, number>();
  for (const record of [...records].sort((a, b) => a.round - b.round)) {
    let run;
    try {
      run = await loadRun(workspaceRoot, record.rolloutRunId);
    } catch {
      continue;
    }
    for (const t of run.trajectories) scores.set(t.taskId, t.outcome?.score ?? 0);
  }
  return scores;
}

/** The carried method state of the last committed round (undefined before the first). */
export function committedMethodState(records: readonly CommittedRound[]): unknown {
  return records[records.length - 1]?.methodState;
}

/**
 * Cuts credit.jsonl back to the lines of committed rounds, and returns how many that is. Records
 * written before the line count was kept leave the file as it is (its line count is returned).
 */
export async function trimCredit(dir: string, records: readonly CommittedRound[]): Promise<number> {
  const file = join(dir, OPTIMIZE_FILES.credit);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  // Complete lines only: a torn last line (no newline yet) is never a committed signal.
  const lines = text.split('\n').slice(0, -1);
  const last = records[records.length - 1];
  const keep = records.length === 0 ? 0 : last.creditLines;
  if (keep === undefined) return lines.length;
  if (lines.length === keep && text.endsWith('\n')) return keep;
  if (lines.length < keep) return lines.length;
  await writeFileAtomic(file, lines.slice(0, keep).map((l) => `${l}\n`).join(''));
  return keep;
}
