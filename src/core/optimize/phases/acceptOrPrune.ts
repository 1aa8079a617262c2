/**
 * Accept or keep the best set, then prune. The candidate becomes the best set only when the gate
 * accepted it; otherwise the best set stays (it is never lost). An accepted candidate is accepted
 * as a whole, so an edit that does nothing for validation can ride along with the fixes that earned
 * the acceptance: each accepted item (an edit, or one agent's whole global rewrite), the least
 * backed first, is tried away. Least backed is the pool's ranking turned round (candidateItems.ts
 * pruneOrder): support, then the strength of the credit behind it, then its evidence. Pruning ends
 * at the first item it keeps, so a ride-along is found only when it comes before every real fix;
 * support alone ties often on a small batch, and the tie was broken by id, which once put a fix
 * strongly blamed on both of its tasks before a ride-along only weakly blamed on one of its two.
 * Under the paired gate, items backed by more than twice the support of the least-backed one are
 * not tried at all (pruneCandidates): a test that keeps an item costs about a validation of the set
 * without it and ends pruning anyway, and independent tasks asking for an edit that often is what a
 * real fix looks like.
 *
 * Paired gate: the set without the item replaces the set with it only when it, too, beats the
 * previous best at the round's α and scores no lower than the set with it on the same tasks
 * (pruneSequentially: sequential, stops early, the previous best's scores shared). Pruning ends at
 * the first item kept, which makes the sets tested a chain fixed before validation — candidate,
 * candidate minus the weakest item, minus the two weakest, … — each tested only when the one before
 * it was accepted. That is fixed-sequence testing: a false acceptance anywhere needs the first set
 * of the chain that is no better than the previous best to be accepted, which happens with
 * probability ≤ α, so every test may use the whole α and the round still stays within δ/rounds.
 * The chain only has to be fixed before validation, which the order and the untried items are
 * (read off the round's suggestions); and stopping sooner — at a kept item, before an untried one,
 * on futility — only ever leaves the gate's accepted candidate or a set that passed its own test.
 * Hoeffding gate: whole-split means, as before.
 */
import type { PromptTexts } from '../../credit/agentUnits';
import type { Suggestion } from '../../credit/types';
import { comparisonDelta } from '../accept';
import { applySuggestions } from '../applySuggestions';
import { candidateItems, pruneCandidates, pruneOrder, PRUNE_SUPPORT_RATIO, type CandidateItem } from '../candidateItems';
import { llmRewriter } from '../llmSteps';
import { mean } from '../meanScore';
import type { PruneRecord } from '../optimizeTypes';
import { pruneSequentially } from '../sequentialValidation';
import type { Decided, Validated } from './roundState';
import type { OptimizeRun } from './runState';
import { validationStep } from './validate';

export async function acceptOrPrune(run: OptimizeRun, round: Validated): Promise<Decided> {
  const accepted = round.decision?.accepted === true;
  const previousBest = run.best;
  if (accepted) run.best = round.applied.texts;
  const pruned = new Map<string, string>();
  const appliedItems = candidateItems(round.pooled.retained.filter((s) => round.appliedIds.has(s.id)));
  const pruning: PruneRecord[] = [];
  if (accepted && run.settings.config.optimizer.prune && appliedItems.length > 1) {
    round.stage('prune');
    await pruneAccepted(run, round, previousBest, appliedItems, pruned, pruning);
  }
  return { ...round, accepted, previousBest, pruned, pruning };
}

/** Tries the accepted items away, weakest first; the best set loses each one that did not help. */
async function pruneAccepted(run: OptimizeRun, round: Validated, previousBest: PromptTexts, appliedItems: Array<CandidateItem<Suggestion>>, pruned: Map<string, string>, pruning: PruneRecord[]): Promise<void> {
  const { config, gate, delta, rounds, split, signal } = run.settings;
  const { k, valRunIds, note } = round;
  const { valOf, scoresOf } = run.val;
  let kept = appliedItems;
  let keptVal = gate === 'hoeffding' ? mean(await valOf(run.best, k, valRunIds)) ?? 0 : 0;
  for (const weakest of gate === 'paired' ? pairedPruneOrder(appliedItems, round.note) : pruneOrder(appliedItems)) {
    if (kept.length <= 1) break;
    const rest = kept.filter((i) => i.key !== weakest.key);
    const without = await applySuggestions(config, previousBest, rest.flatMap((i) => i.members), llmRewriter(run.optimizer, note, signal));
    if (without.results.some((r) => r.status !== 'applied')) continue;
    if (gate === 'paired') {
      // The round's own α, as its gate used it (front-loaded on a small split, alphaSpending.ts).
      const alpha = round.decision?.delta ?? comparisonDelta({ delta, comparisons: rounds });
      const test = await pruneSequentially(split.val, validationStep(run), alpha, delta, scoresOf(previousBest, k, valRunIds), scoresOf(run.best, k, valRunIds), scoresOf(without.texts, k, valRunIds));
      const evidence = `${test.n} validation tasks, ${Math.abs(alpha - delta / rounds) < 1e-15 ? `α = δ/${rounds}` : 'α'} = ${alpha.toPrecision(3)}`;
      const whole = weakest.members[0].group !== undefined ? ` (the rewrite ${weakest.key} this edit belongs to, ${weakest.members.length} edits, kept or dropped together)` : '';
      const reason = test.drop ? `Pruned after acceptance${whole}: ${test.why} (${evidence}), so it did not help.` : `Kept after acceptance${whole}: ${test.why} (${evidence}); pruning ends here.`;
      const { drop, ...verdict } = test;
      pruning.push({ suggestions: weakest.members.map((m) => m.id), dropped: drop, n: test.n, alpha, verdict, reason });
      if (!drop) break;
      for (const m of weakest.members) pruned.set(m.id, reason);
    } else {
      const withoutVal = mean(await valOf(without.texts, k, valRunIds)) ?? 0;
      const what = weakest.members[0].group !== undefined ? `the rewrite ${weakest.key} it belongs to (${weakest.members.length} edits, kept or dropped together)` : 'it';
      if (withoutVal < keptVal) continue;
      for (const m of weakest.members) pruned.set(m.id, `Pruned after acceptance: validation ${withoutVal.toFixed(3)} without ${what} vs ${keptVal.toFixed(3)} with it, so it did not help.`);
      keptVal = withoutVal;
    }
    kept = rest;
    run.best = without.texts;
  }
}

/** The items the paired gate's pruning tries, least backed first; the round notes the ones it leaves untried. */
function pairedPruneOrder(items: Array<CandidateItem<Suggestion>>, note: (message: string) => void): Array<CandidateItem<Suggestion>> {
  const { tried, untried } = pruneCandidates(items);
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  if (untried.length && tried.length) {
    note(`Pruning did not try ${untried.map((i) => `${i.key} (support ${pct(i.support)})`).join(', ')}: backed by more than ${PRUNE_SUPPORT_RATIO}× the support of the least-backed item (${pct(tried[0].support)}), so kept without a test.`);
  }
  return tried;
}
