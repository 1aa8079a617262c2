/**
 * The acceptance view (TRUCE Appendix C): the candidate and the best set are scored on the same
 * val tasks (the best set's scores are reused, not re-run) and the gate decides. The paired gate
 * (pairedGate.ts, sequentialValidation.ts) runs the candidate in batches of `concurrency`, in the
 * split's seeded order, against the best set's scores on the same tasks, and stops as soon as its
 * e-process accepts or acceptance is out of reach — on the split, or within what the budget still
 * pays for; no set is run on the whole split for its own sake. The Hoeffding gate (accept.ts) compares whole-split means.
 */
import type { PromptTexts } from '../../credit/agentUnits';
import { comparisonDelta, decideAcceptance, pairedDecision, type AcceptanceDecision } from '../accept';
import { AffordableTasks } from '../affordableTasks';
import { comparisonAlpha, comparisonsMade } from '../alphaSpending';
import { mean } from '../meanScore';
import { compareSequentially } from '../sequentialValidation';
import type { Applied, Validated } from './roundState';
import type { OptimizeRun } from './runState';

/** Tasks per step of the sequential tests. */
export const validationStep = (run: OptimizeRun) => Math.max(2, run.settings.config.concurrency);

/**
 * The Hoeffding gate compares whole-split means, so the starting set is scored on every val task
 * up front; the paired gate scores it task by task as its first comparison needs.
 */
export async function scoreStartingSet(run: OptimizeRun): Promise<void> {
  if (run.settings.gate === 'hoeffding') run.outcome.valBefore = mean(await run.val.valOf(run.initialTexts, 0, []));
}

export async function validateCandidate(run: OptimizeRun, round: Applied): Promise<Validated> {
  const { gate, delta, rounds } = run.settings;
  const { k, applied, appliedIds, pooled, note, stage } = round;
  const valRunIds: string[] = [];
  let decision: AcceptanceDecision | undefined;
  let candidateHash: string | undefined;
  if (appliedIds.size) {
    stage('validate');
    candidateHash = await run.settings.setHash(applied.texts);
    if (gate === 'paired') {
      decision = await pairedValidation(run, applied.texts, run.best, k, valRunIds);
    } else {
      const bestVal = await run.val.valOf(run.best, k, valRunIds);
      const candVal = await run.val.valOf(applied.texts, k, valRunIds);
      decision = decideAcceptance(bestVal, candVal, { delta, comparisons: rounds });
    }
  } else if (pooled.retained.length) note(`round ${k}: none of the retained suggestions could be applied; no candidate to validate.`);
  else note(`round ${k}: no suggestions survived; the best prompt set stays.`);
  return { ...round, valRunIds, ...(decision ? { decision } : {}), ...(candidateHash ? { candidateHash } : {}) };
}

async function pairedValidation(run: OptimizeRun, texts: PromptTexts, bestTexts: PromptTexts, round: number, runIds: string[]): Promise<AcceptanceDecision> {
  const { delta, rounds: comparisons, split } = run.settings;
  const settings = { delta, comparisons, alpha: comparisonAlpha(delta, comparisons, comparisonsMade(run.records), split.val.length) };
  const { scoresOf } = run.val;
  const affordable = new AffordableTasks(() => run.budget.snapshot());
  const check = await compareSequentially(run.settings.split.val, validationStep(run), comparisonDelta(settings), scoresOf(bestTexts, round, runIds), scoresOf(texts, round, runIds), (compared) => affordable.after(compared));
  return pairedDecision(check.baseline, check.candidate, check.ids, check.verdict, settings, check.remaining, check.affordable);
}
