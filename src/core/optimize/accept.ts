/**
 * The acceptance gate of the optimizer: a candidate prompt set replaces the current best only when
 * its validation gain is larger than sampling noise could plausibly produce.
 *
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

export interface AcceptanceSettings {
  /** Probability of accepting a candidate that is not better, over the whole run. */
  delta: number;
  /** How many candidate-vs-best comparisons the run may make (the rounds); δ is split over them. */
  comparisons: number;
}

export const DEFAULT_DELTA = 0.1;

export interface AcceptanceDecision {
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
}

export function hoeffdingEpsilon(n: number, delta: number): number {
  if (!(n > 0)) return Number.POSITIVE_INFINITY;
  if (!(delta > 0 && delta < 1)) throw new RangeError(`δ must be between 0 and 1 (exclusive), got ${delta}`);
  return Math.sqrt(Math.log(1 / delta) / (2 * n));
}

export function comparisonDelta(settings: AcceptanceSettings): number {
  return settings.delta / Math.max(1, Math.floor(settings.comparisons));
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
  const base = { n, bestMean, candidateMean, gain, epsilon, margin, delta };
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
