/**
 * GBC keeps, for every node, only its k most influential predecessors (Eq. 3). When every weight
 * is the same (all equal, or none could be estimated) the weights say nothing about which to
 * keep, and all are kept, as the authors' code does. Otherwise equal weights are ordered by the
 * run's seeded random, not by position, so an early block is not favoured merely for coming
 * first; a weight that could not be estimated ranks below every known one.
 */

export interface WeightedPredecessor {
  from: string;
  /** Connection weight in [0, 1]; null when the estimator could not produce one. */
  weight: number | null;
}

export function selectTopPredecessors(predecessors: readonly WeightedPredecessor[], k: number, random: () => number): WeightedPredecessor[] {
  if (predecessors.every((p) => p.weight === predecessors[0]?.weight)) return [...predecessors];
  const keyed = predecessors.map((p) => ({ p, rank: p.weight ?? -1, tie: random() }));
  keyed.sort((a, b) => b.rank - a.rank || a.tie - b.tie);
  return keyed.slice(0, Math.max(0, k)).map((x) => x.p);
}
