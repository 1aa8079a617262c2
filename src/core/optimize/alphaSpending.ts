/**
 * How the run's δ is shared among its candidate-vs-best comparisons (at most one per round).
 *
 * Evenly by default: each comparison gets δ/K for K rounds (a union bound keeps the whole run's
 * chance of any false acceptance ≤ δ). A val split of n tasks cannot show a gain below
 * p = 2^−n (every task fixed, exact sign test), so on a small split δ/K can be out of reach for
 * every comparison — the example workspace's 4 val tasks need α ≥ 1/16, and δ/3 = 0.033 is less.
 * Then the shares are front-loaded: the first comparisons the run makes get 2^−n each, as many as
 * δ allows, and the rest of δ is split evenly over the remaining ones. The shares depend only on
 * δ, K, n and how many comparisons came before, all known before a task is run, and they still
 * add up to δ, so the union bound holds as before. A round that validates nothing spends nothing.
 *
 * Why not front-load every run (give the first comparison a larger share, as its candidate often
 * carries the largest gain). A comparison's cost is counted in whole fixes: at δ = 0.1 the paired
 * gate needs 6 straight fixes at α = δ/3 (e = 33.5, so down to α = 0.030) and 7 below that. Over
 * the default three rounds, shares ∝ 1/j (0.55δ, 0.27δ, 0.18δ) or halving (δ/2, δ/4, δ/4) still
 * need 6 for the first comparison and 7 for each later one — no saving, only dearer later rounds.
 * Over eight rounds 1/j shares bring the first from 8 fixes to 6, but the third on need 8 to 10. And the premise fails where
 * it was meant to help: in the BCD scenarios the second round's candidate (a missing planner rule)
 * is as strong as the first (7 of 8 tasks fixed), and under 1/j shares it would cost a fix more.
 */

export interface ComparisonAlpha {
  alpha: number;
  /** How the reason states it: "α = δ/3 = 0.0333", or the front-loaded share. */
  text: string;
}

/** The smallest p the exact sign test can reach on n tasks. */
const floorP = (n: number) => Math.pow(2, -n);

export function comparisonAlpha(delta: number, comparisons: number, made: number, valTasks: number): ComparisonAlpha {
  const k = Math.max(1, Math.floor(comparisons));
  const even = delta / k;
  const evenText = `α = δ/${k} = ${even.toPrecision(3)}`;
  const need = floorP(valTasks);
  if (!(valTasks > 0) || need <= even || need > delta) return { alpha: even, text: evenText };
  const front = Math.min(k, Math.floor(delta / need + 1e-12));
  const j = Math.max(0, Math.floor(made));
  if (j < front) return { alpha: need, text: `α = ${need.toPrecision(3)} of δ = ${delta} (front-loaded: a ${valTasks}-task val split needs α ≥ 2^−${valTasks}; comparison ${j + 1} of at most ${k})` };
  const rest = front < k ? (delta - front * need) / (k - front) : 0;
  return { alpha: rest, text: `α = ${rest.toPrecision(3)} of δ = ${delta} (what the first ${front} comparison${front === 1 ? '' : 's'} of this ${valTasks}-task val split left, shared by the other ${k - front})` };
}

/** Comparisons the run has made so far: rounds whose candidate was run on validation tasks. */
export function comparisonsMade(records: readonly { decision?: { n?: number } }[]): number {
  return records.filter((r) => (r.decision?.n ?? 0) > 0).length;
}
