/**
 * The acceptance gates of the optimizer: a candidate prompt set replaces the current best only when
 * its validation gain is larger than sampling noise could plausibly produce. Two gates:
 * `paired` (the default, pairedGate.ts: task-by-task differences, sequential, anytime-valid) and
 * `hoeffding` (below: two means and a margin), kept for comparison and for users who relied on it.
 *
 * The Hoeffding gate.
 * Why this margin. Both sets are scored on the same n validation tasks, scores in [0, 1]. Each
 * mean is off from its expectation by more than ε = sqrt(ln(1/δ) / (2n)) with probability at most
 * δ (Hoeffding for [0, 1] scores). The paired differences d_i = candidate_i − best_i lie in
 * [−1, 1]; Hoeffding on their mean gives P(mean(d) − E[d] ≥ t) ≤ exp(−n t² / 2), which equals δ at
 * t = 2ε. So requiring   gain ≥ 2ε   means that a candidate that is in truth no better than the
 * best is accepted with probability at most δ. That is the paper's "no false improvements" (its
 * appendix accepts at Ĵ(Q) ≥ Ĵ(P) + 2β, the same quantity). Over K rounds a union bound keeps the
 * guarantee for the whole run: each comparison uses δ / K (`comparisons`).
 *
 * The price is sample size: with δ = 0.1 and K = 3 a gain of 1.0 (every task flipped) needs n ≥ 7
 * validation tasks. When a real gain is rejected for lack of tasks, the reason says how many would
 * have been needed, so the user can grow the val split instead of guessing.
 */

import type { ComparisonAlpha } from './alphaSpending';
import { fixesNeeded, signTestP, type PairedVerdict } from './pairedGate';

/** The fewest straight fixes the exact sign test needs at level α (p = 2^−F). */
function signFixesNeeded(alpha: number): number {
  let f = 1;
  while (signTestP(f, 0) > alpha) f++;
  return f;
}

export interface AcceptanceSettings {
  /** Probability of accepting a candidate that is not better, over the whole run. */
  delta: number;
  /** How many candidate-vs-best comparisons the run may make (the rounds); δ is split over them. */
  comparisons: number;
  /** This comparison's share of δ when it is not δ/comparisons (alphaSpending.ts: small val splits). */
  alpha?: ComparisonAlpha;
}

export const DEFAULT_DELTA = 0.1;

export type GateName = 'paired' | 'hoeffding';

export interface AcceptanceDecision {
  /** Which gate decided (absent in records written before the paired gate existed: hoeffding). */
  gate?: GateName;
  accepted: boolean;
  /** Validation tasks both sets were scored on. */
  n: number;
  bestMean: number;
  candidateMean: number;
  gain: number;
  /** Per-estimate Hoeffding deviation at the per-comparison δ. */
  epsilon: number;
  /** The gain a candidate needs: 2ε. */
  margin: number;
  /** δ of this comparison (δ / comparisons). */
  delta: number;
  reason: string;
  /** The paired gate's evidence: tasks fixed, broken and unchanged, the e-value and why it stopped. */
  paired?: PairedVerdict;
  /** Validation tasks of the split the candidate was not run on (it stopped early). */
  skipped?: number;
}

export function hoeffdingEpsilon(n: number, delta: number): number {
  if (!(n > 0)) return Number.POSITIVE_INFINITY;
  if (!(delta > 0 && delta < 1)) throw new RangeError(`δ must be between 0 and 1 (exclusive), got ${delta}`);
  return Math.sqrt(Math.log(1 / delta) / (2 * n));
}

export function comparisonDelta(settings: AcceptanceSettings): number {
  return settings.alpha?.alpha ?? settings.delta / Math.max(1, Math.floor(settings.comparisons));
}

export function acceptanceMargin(n: number, settings: AcceptanceSettings): number {
  return 2 * hoeffdingEpsilon(n, comparisonDelta(settings));
}

/** The fewest validation tasks at which `gain` would clear the margin (Infinity for gain ≤ 0). */
export function tasksNeeded(gain: number, settings: AcceptanceSettings): number {
  if (!(gain > 0)) return Number.POSITIVE_INFINITY;
  return Math.ceil((2 * Math.log(1 / comparisonDelta(settings))) / (gain * gain));
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const fmt = (x: number) => x.toFixed(3);

/**
 * Scores are per validation task id, for the same tasks; a task missing from either side (its run
 * failed to record a score) is left out of both, so the comparison stays paired.
 */
export function decideAcceptance(best: ReadonlyMap<string, number>, candidate: ReadonlyMap<string, number>, settings: AcceptanceSettings): AcceptanceDecision {
  const ids = [...best.keys()].filter((id) => candidate.has(id)).sort();
  const n = ids.length;
  const bestMean = mean(ids.map((id) => best.get(id) as number));
  const candidateMean = mean(ids.map((id) => candidate.get(id) as number));
  const gain = candidateMean - bestMean;
  const delta = comparisonDelta(settings);
  const epsilon = hoeffdingEpsilon(n, delta);
  const margin = 2 * epsilon;
  const base = { gate: 'hoeffding' as const, n, bestMean, candidateMean, gain, epsilon, margin, delta };
  if (n === 0) return { ...base, accepted: false, reason: 'No validation task has a score for both prompt sets, so no gain can be shown; check the val split.' };
  if (gain <= 0) return { ...base, accepted: false, reason: `No validation gain: ${fmt(candidateMean)} vs ${fmt(bestMean)} for the current best on ${n} tasks.` };
  if (gain < margin) {
    const needed = tasksNeeded(gain, settings);
    return {
      ...base,
      accepted: false,
      reason: `Gain ${fmt(gain)} on ${n} validation tasks is below the margin ${fmt(margin)} (Hoeffding, δ=${delta.toPrecision(3)}); a gain this size needs at least ${needed} validation tasks to count.`,
    };
  }
  return { ...base, accepted: true, reason: `Gain ${fmt(gain)} on ${n} validation tasks clears the margin ${fmt(margin)} (Hoeffding, δ=${delta.toPrecision(3)}).` };
}

/**
 * The decision of the paired gate from the verdict it stopped at, over the tasks both sets ran
 * (`ids`, in the order they were run). The Hoeffding fields are filled for comparison.
 */
/** `affordable`: set when the budget, not the split, ended the comparison (the tasks it still paid for). */
export function pairedDecision(best: ReadonlyMap<string, number>, candidate: ReadonlyMap<string, number>, ids: readonly string[], verdict: PairedVerdict, settings: AcceptanceSettings, skipped: number, affordable?: number): AcceptanceDecision {
  const n = ids.length;
  const bestMean = mean(ids.map((id) => best.get(id) as number));
  const candidateMean = mean(ids.map((id) => candidate.get(id) as number));
  const delta = comparisonDelta(settings);
  const epsilon = hoeffdingEpsilon(n, delta);
  const base = { gate: 'paired' as const, n, bestMean, candidateMean, gain: candidateMean - bestMean, epsilon, margin: 2 * epsilon, delta, paired: verdict, skipped };
  const counts = `${verdict.fixed} fixed, ${verdict.broken} broken, ${verdict.same} unchanged`;
  const alphaText = settings.alpha?.text ?? `α = δ/${Math.max(1, Math.floor(settings.comparisons))} = ${delta.toPrecision(3)}`;
  const stat =
    verdict.test === 'sign'
      ? `exact sign test on the whole split, p = ${verdict.p.toPrecision(2)} ${verdict.stop === 'accepted' ? '≤' : '>'} ${alphaText}`
      : `e = ${verdict.eValue.toPrecision(3)} ${verdict.stop === 'accepted' ? '≥' : '<'} 1/α = ${verdict.threshold.toPrecision(3)}, anytime p = ${verdict.p.toPrecision(2)}, ${alphaText}`;
  if (n === 0 && verdict.stop === 'out-of-reach') {
    return {
      ...base,
      accepted: false,
      reason: `The val split has ${skipped} task${skipped === 1 ? '' : 's'}: even a candidate that fixed every one could not show an improvement at ${alphaText} (that takes at least ${signFixesNeeded(delta)} fixed tasks), so no validation was run. Grow the val split (tasks.split in truce.yaml) or run fewer rounds (δ is split over them).`,
    };
  }
  if (n === 0) return { ...base, accepted: false, reason: 'No validation task has a score for both prompt sets, so no gain can be shown; check the val split.' };
  if (verdict.stop === 'accepted') return { ...base, accepted: true, reason: `Accepted after ${n} validation task${n === 1 ? '' : 's'}: ${counts} (${stat}).` };
  if (affordable !== undefined) {
    return {
      ...base,
      accepted: false,
      reason: `Stopped after ${n} validation task${n === 1 ? '' : 's'}: ${counts}; the budget pays for about ${affordable} more of the ${skipped} left, too few to show an improvement at this rate (${stat}). Raise the budget (budget.maxCalls and the like) or run fewer rounds to let such a gain be shown.`,
    };
  }
  if (verdict.fixed <= verdict.broken) {
    const why = verdict.stop === 'futile' ? 'they could change the outcome only by going far better than these' : 'they could not change the outcome';
    const early = skipped > 0 ? ` (stopped early: ${skipped} task${skipped === 1 ? '' : 's'} not run, ${why})` : '';
    return { ...base, accepted: false, reason: `No validation gain on ${n} task${n === 1 ? '' : 's'}: ${counts}${early}; ${stat}.` };
  }
  if (verdict.stop === 'out-of-reach') {
    return { ...base, accepted: false, reason: `Rejected after ${n} validation task${n === 1 ? '' : 's'}: ${counts}; even fixes on the ${skipped} remaining tasks could not show an improvement (${stat}).` };
  }
  if (verdict.stop === 'futile') {
    return {
      ...base,
      accepted: false,
      reason: `Stopped after ${n} validation task${n === 1 ? '' : 's'}: ${counts}; the ${skipped} remaining tasks could show an improvement only by going far better than these (${stat}).`,
    };
  }
  const short =
    verdict.fixed > 0 && verdict.broken === 0
      ? verdict.test === 'sign'
        ? ` On a split this small a candidate that only fixes needs at least ${signFixesNeeded(delta)} fixed tasks at this δ; grow the val split to show it.`
        : ` A candidate that only fixes needs at least ${fixesNeeded(delta)} fixed tasks at this δ; grow the val split to show it.`
      : '';
  return { ...base, accepted: false, reason: `Not shown to improve on all ${n} validation tasks: ${counts} (${stat}).${short}` };
}
