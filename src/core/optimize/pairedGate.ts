/**
 * The paired, sequential acceptance gate: a candidate replaces the current best only when its
 * task-by-task differences on the same validation tasks show an improvement at level α — and it
 * may look after every batch of tasks without losing that guarantee.
 *
 * Why paired. Both sets run the same tasks (same seeds), so a task both get right or both get
 * wrong says nothing; only tasks where they disagree carry information. Comparing two means, as
 * the Hoeffding gate does, pays for the variance of both; the differences d_i = candidate_i −
 * best_i, in [−1, 1], have none of the shared part.
 *
 * Why an e-process. For a fixed λ in [0, 1), W_n(λ) = Π (1 + λ·d_i) is a non-negative
 * supermartingale when the candidate is in truth no better (E[d_i | earlier tasks] ≤ 0), because
 * E[1 + λ·d_i] ≤ 1. Any weighted average of such processes, with weights fixed before the first
 * task, is one too, and by Ville's inequality it ever reaches 1/α with probability at most α. So we
 * may stop the moment it does — after 5 tasks or after 40 — and the chance of a false acceptance
 * stays ≤ α however often we looked. The average adapts to the size of the gain without choosing
 * λ in advance; a task both sets score alike multiplies every W_n(λ) by 1, so only disagreements
 * move it.
 *
 * Why the weights lean to large λ (prior density 3λ² on a grid of 200 values). For pass/fail
 * scores the mixture after F fixes and no breaks is ∫ 3λ²(1 + λ)^F dλ: 6 straight fixes give
 * e = 33.5, past 1/α = 30 at α = δ/3, where the uniform prior, (2^(F+1) − 1)/(F + 1), needs 7
 * (6 give 18.1). No e-process can do better than 5 (W_n ≤ 2^F), and putting all weight near λ = 1
 * would get there but be wiped out by a single break. The edits the gate meets are mostly of that
 * kind — a rule that mends a task or leaves it alone, a fix-to-break ratio far above 1 — which is
 * where large λ pays. The price is at small gains with breaks: after 5 breaks the λ² prior needs
 * 20 fixes where the uniform one needs 19. Measured on simulated validation runs with known truth
 * (bench:gates, 40 tasks in batches of 4, α = δ/3, 2,000 runs a case; uniform → λ²): a gain of
 * 0.25 is accepted in 71.5 % of runs instead of 65.8 %, a gain of 0.10 in 14.7 % instead of 9.8 %
 * (120 tasks: 47.9 % instead of 46.4 %), a gain of 0.50 after 13.5 tasks instead of 15.6; a
 * candidate no better is accepted in 1.8 % of runs (0.9 % before, bound 3.3 %) and runs 18.7 of
 * 40 tasks instead of 18.4. A heavier lean (4λ³) buys no further fix at α = δ/3 and loses power
 * at a gain of 0.10 on 120 tasks (45.0 %). In the simulated worlds every one of 21 seeds over four
 * scenarios held every planted fix sooner (6–11 % fewer calls on average, recall and precision
 * unchanged), and the null world accepted in 1 run of 200 (0 of 212 before; δ = 0.1 bounds it).
 *
 * Futility, two ways (both only ever stop to reject, so neither touches the bound α). Out of reach:
 * even a fix on every remaining task could not lift the process to 1/α. Futile: it could, but
 * only if the remaining tasks went far better than every task seen so far makes plausible
 * (beyondPlausibleReach below) — on a large split the first almost never fires, and a candidate
 * with no real gain would otherwise be run on most of the split.
 */

/** λ values of the mixture: midpoints of 200 equal slices of [0, 1). */
const LAMBDAS = Array.from({ length: 200 }, (_, j) => (j + 0.5) / 200);

/**
 * Log weights of the λ values: a prior with density 3λ² on [0, 1), fixed before any task is run,
 * so the mixture stays an e-process. It leans towards large bets because the candidates the
 * gate sees are mostly all-or-nothing edits that fix a task or leave it be (see the header).
 */
const LOG_WEIGHTS = (() => {
  const density = LAMBDAS.map((lambda) => 3 * lambda * lambda);
  const total = density.reduce((sum, w) => sum + w, 0);
  return density.map((w) => Math.log(w / total));
})();

export interface PairedEvidence {
  /** Tasks compared so far. */
  n: number;
  /** Tasks the candidate did better on, worse on, and the same. */
  fixed: number;
  broken: number;
  same: number;
  /** The mixture e-value after these tasks (≥ 1/α accepts). */
  eValue: number;
  /** 1/α. */
  threshold: number;
  /** An anytime-valid p-value: min(1, 1/e) — or, under the sign test, its exact one-sided p. */
  p: number;
  /** Which test decided: the e-process (sequential) or the exact sign test on the whole split. */
  test?: 'e-process' | 'sign';
}

export type PairedStop = 'accepted' | 'out-of-reach' | 'futile' | 'no-more-tasks';

export interface PairedVerdict extends PairedEvidence {
  /** Undefined while more tasks could still decide. */
  stop?: PairedStop;
}

/** log of the prior-weighted mean of exp(logs), one log per λ value, without overflow. */
function logPriorMean(logs: readonly number[]): number {
  const weighted = logs.map((l, j) => l + LOG_WEIGHTS[j]);
  const max = Math.max(...weighted);
  if (max === Number.NEGATIVE_INFINITY) return max;
  return max + Math.log(weighted.reduce((sum, l) => sum + Math.exp(l - max), 0));
}

/** log of the mixture e-value over `diffs`, with `extra` further differences, each `value` (+1: fixes). */
function logEValue(diffs: readonly number[], extra = 0, value = 1): number {
  return logPriorMean(
    LAMBDAS.map((lambda) => {
      let log = extra * Math.log1p(lambda * value);
      for (const d of diffs) log += Math.log1p(lambda * Math.max(-1, Math.min(1, d)));
      return log;
    }),
  );
}

export function pairedEValue(diffs: readonly number[]): number {
  return Math.exp(logEValue(diffs));
}

/**
 * The verdict after the differences seen so far, with `remaining` validation tasks not yet run.
 * Differences are taken in the order the tasks were run.
 */
export function pairedVerdict(diffs: readonly number[], remaining: number, alpha: number): PairedVerdict {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`α must be between 0 and 1 (exclusive), got ${alpha}`);
  const threshold = 1 / alpha;
  const log = logEValue(diffs);
  const eValue = Math.exp(log);
  const evidence: PairedEvidence = {
    n: diffs.length,
    fixed: diffs.filter((d) => d > 0).length,
    broken: diffs.filter((d) => d < 0).length,
    same: diffs.filter((d) => d === 0).length,
    eValue,
    threshold,
    p: Math.min(1, 1 / eValue),
  };
  if (log >= Math.log(threshold)) return { ...evidence, stop: 'accepted' };
  if (remaining <= 0) return { ...evidence, stop: 'no-more-tasks' };
  if (logEValue(diffs, remaining) < Math.log(threshold)) return { ...evidence, stop: 'out-of-reach' };
  if (beyondPlausibleReach(diffs, remaining, threshold)) return { ...evidence, stop: 'futile' };
  return evidence;
}

/** One-sided z of the plausible rates: 2.33, a rate beyond it has a 1 % chance at one look. */
const PLAUSIBLE_Z = 2.326;

/** Wilson score bound of a rate seen as `share` over n tasks (upper for sign +1, lower for −1). */
function wilsonBound(share: number, n: number, sign: 1 | -1): number {
  const z2 = PLAUSIBLE_Z * PLAUSIBLE_Z;
  const centre = share + z2 / (2 * n);
  const spread = PLAUSIBLE_Z * Math.sqrt((share * (1 - share)) / n + z2 / (4 * n * n));
  return Math.min(1, Math.max(0, (centre + sign * spread) / (1 + z2 / n)));
}

/**
 * Whether the remaining tasks could lift the e-process to 1/α only by going better than the tasks
 * seen so far make plausible. The projection is optimistic three times over: the share of tasks
 * the candidate improves at its upper bound, the share it makes worse at its lower bound, and every
 * remaining task giving exactly that mean difference (no spread, which only slows an e-process). If
 * even that stays below 1/α, running on would confirm the candidate only on a run of luck it has
 * not shown, and its rollouts stop. What this can cost is power, for a candidate whose gain is so
 * small that confirming it would take most of the split (bench:gates measures it). Scores in
 * [0, 1] count by their positive and negative parts, so pass/fail and graded scores share it.
 */
function beyondPlausibleReach(diffs: readonly number[], remaining: number, threshold: number): boolean {
  const n = diffs.length;
  if (n === 0 || remaining <= 0) return false;
  const better = diffs.reduce((sum, d) => sum + Math.max(0, Math.min(1, d)), 0) / n;
  const worse = diffs.reduce((sum, d) => sum + Math.max(0, Math.min(1, -d)), 0) / n;
  const gain = wilsonBound(better, n, 1) - wilsonBound(worse, n, -1);
  if (gain <= 0) return true;
  return logEValue(diffs, remaining, gain) < Math.log(threshold);
}

/**
 * The fewest further tasks that could lift the e-process over `diffs` to 1/α (every one a fix),
 * capped at `max`: no decision to accept can come sooner, so running fewer tasks in the next
 * batch spends no call that could not matter. Batch sizes chosen from the data seen so far keep
 * the guarantee: the e-process is valid at any stopping time.
 */
export function tasksToAccept(diffs: readonly number[], alpha: number, max: number): number {
  const target = Math.log(1 / alpha);
  for (let k = 0; k < max; k++) if (logEValue(diffs, k) >= target) return k;
  return max;
}

/**
 * The small-split test. When the e-process could accept only if every validation task were a fix
 * (no more tasks than fixesNeeded(α)), or not at all — where the sign test, which forgives a task
 * that is not fixed, is the stronger — the gate runs the whole split and applies the exact
 * one-sided sign test (McNemar's exact test for pass/fail scores) to the tasks the two sets
 * disagree on: under "no improvement" a disagreement is a fix no more often than a break, so the
 * fixes among D disagreements are at most Binomial(D, 1/2) and p = P(X ≥ fixes). The choice of
 * test depends only on the split size and α, fixed before any task is run, and the number of tasks
 * is the whole split, so the test keeps level α; stopping early only when acceptance is out of
 * reach can only lower the chance of accepting. Six tasks that are all fixed give p = 1/64.
 */
export function usesSignTest(tasks: number, alpha: number): boolean {
  return fixesNeeded(alpha) >= tasks;
}

/** P(X ≥ fixed) for X ~ Binomial(fixed + broken, 1/2). */
export function signTestP(fixed: number, broken: number): number {
  const n = fixed + broken;
  if (fixed <= 0) return 1;
  let logChoose = 0;
  let sum = 0;
  // Σ_{k=fixed..n} C(n, k) / 2^n, with C(n, k) built up from C(n, n) = 1 downwards.
  for (let k = n; k >= fixed; k--) {
    if (k < n) logChoose += Math.log(k + 1) - Math.log(n - k);
    sum += Math.exp(logChoose - n * Math.LN2);
  }
  return Math.min(1, sum);
}

/** The sign-test verdict after the differences seen so far, with `remaining` tasks of the split not yet run. */
export function signVerdict(diffs: readonly number[], remaining: number, alpha: number): PairedVerdict {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`α must be between 0 and 1 (exclusive), got ${alpha}`);
  const fixed = diffs.filter((d) => d > 0).length;
  const broken = diffs.filter((d) => d < 0).length;
  const p = signTestP(fixed, broken);
  const evidence: PairedEvidence = { n: diffs.length, fixed, broken, same: diffs.length - fixed - broken, eValue: 1 / p, threshold: 1 / alpha, p, test: 'sign' };
  if (remaining <= 0) return p <= alpha ? { ...evidence, stop: 'accepted' } : { ...evidence, stop: 'no-more-tasks' };
  if (signTestP(fixed + remaining, broken) > alpha) return { ...evidence, stop: 'out-of-reach' };
  return evidence;
}

/** The fewest straight fixes (no breaks) that clear α: what a small validation split must hold. */
export function fixesNeeded(alpha: number): number {
  for (let f = 1; f < 1000; f++) if (logEValue([], f) >= Math.log(1 / alpha)) return f;
  return Number.POSITIVE_INFINITY;
}
