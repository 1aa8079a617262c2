/**
 * Val scores per prompt set (by hash) and task: the best set's scores are computed once and
 * reused by every comparison, the paired gate can run a candidate on a few tasks at a time, and a
 * later full validation runs only the tasks still missing. A task whose rollout gave no score
 * counts as tried: it is not run again for the same prompt set. Round records keep every known
 * score (RoundRecord.valScores), so a resumed run still knows the starting set's scores and reports
 * its validation over the same tasks as a run that was never stopped.
 */
import type { MasTask } from '../mas';
import type { PromptTexts } from '../credit/agentUnits';
import type { RoundRecord } from './optimizeTypes';
import type { RolloutRunner } from './rolloutRunner';

export interface ValidationScores {
  /** Scores of `texts` on `tasks` (the whole val split by default), running what is missing. */
  valOf(texts: PromptTexts, round: number, runIds: string[], tasks?: readonly MasTask[]): Promise<Map<string, number>>;
  /** valOf for one set, as the sequential tests ask for it (a few tasks at a time). */
  scoresOf(texts: PromptTexts, round: number, runIds: string[]): (tasks: readonly MasTask[]) => Promise<Map<string, number>>;
  /** The scores known for a set, by hash (nothing is run). */
  known(hash: string): Map<string, number> | undefined;
  /** Every score known, by set hash and task: what a round record keeps for a resume. */
  all(): Record<string, Record<string, number>>;
}

export function createValidationScores(valTasks: readonly MasTask[], setHash: (texts: PromptTexts) => Promise<string>, rollouts: RolloutRunner, records: readonly RoundRecord[]): ValidationScores {
  const valScores = new Map<string, Map<string, number>>();
  const last = records[records.length - 1];
  if (last) {
    // Every set's scores where the record has them; records written before it held only the best set's.
    for (const [hash, scores] of Object.entries(last.valScores ?? {})) valScores.set(hash, new Map(Object.entries(scores)));
    valScores.set(last.bestHash, new Map(Object.entries(last.bestVal)));
  }
  const valTried = new Map<string, Set<string>>();
  const valOf = async (texts: PromptTexts, round: number, runIds: string[], tasks: readonly MasTask[] = valTasks): Promise<Map<string, number>> => {
    const h = await setHash(texts);
    const known = valScores.get(h) ?? new Map<string, number>();
    const tried = valTried.get(h) ?? new Set(known.keys());
    const missing = tasks.filter((t) => !tried.has(t.id));
    if (missing.length) {
      const r = await rollouts.run(texts, missing, 'validation', round);
      runIds.push(r.runId);
      for (const t of missing) tried.add(t.id);
      for (const [id, score] of r.scores) known.set(id, score);
    }
    valScores.set(h, known);
    valTried.set(h, tried);
    return new Map(tasks.filter((t) => known.has(t.id)).map((t) => [t.id, known.get(t.id) as number]));
  };
  return {
    valOf,
    scoresOf: (texts, round, runIds) => (tasks) => valOf(texts, round, runIds, tasks),
    known: (hash) => valScores.get(hash),
    all: () => Object.fromEntries([...valScores].map(([hash, scores]) => [hash, Object.fromEntries(scores)])),
  };
}
