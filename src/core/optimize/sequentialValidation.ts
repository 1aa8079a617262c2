/**
 * Validation a few tasks at a time: prompt sets are run on the validation tasks in batches, in
 * the split's (seeded) order, and the comparison stops as soon as the paired e-process
 * (pairedGate.ts) has decided. A batch holds at most `step` tasks (the concurrency) and never more
 * than the fewest that could still lead to acceptance, so no rollout is spent past the task that
 * decides. Every prompt set is scored through one `ScoresOn` per set, which
 * runs only the tasks that set has no score on yet — so the previous best, run once for the gate,
 * is free for every pruning test of the same round, and a set is never run on a task twice.
 */
import type { MasTask } from '../mas';
import { pairedVerdict, signVerdict, tasksToAccept, usesSignTest, type PairedVerdict } from './pairedGate';

/** Scores of one prompt set on these tasks (runs the ones it has not run yet). */
export type ScoresOn = (tasks: readonly MasTask[]) => Promise<ReadonlyMap<string, number>>;

export interface SequentialComparison {
  /** Tasks all compared sets have a score on, in the order they were run. */
  ids: string[];
  baseline: ReadonlyMap<string, number>;
  candidate: ReadonlyMap<string, number>;
  verdict: PairedVerdict;
  /** Validation tasks not run because the comparison stopped early. */
  remaining: number;
  /**
   * Set when the budget, not the split, put acceptance out of reach: how many more tasks it could
   * pay for when the comparison stopped.
   */
  affordable?: number;
}

const diffs = (ids: readonly string[], a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>) => ids.map((id) => (a.get(id) as number) - (b.get(id) as number));

/**
 * Runs `tasks` in batches and stops once `decide` says so (or the tasks run out). `sets` are
 * scored in their order on every batch; `decide` sees the ids all of them have scores on. The size
 * of each batch is `nextSize` of what has been seen (at least 1): the callers ask for no more tasks
 * than could change the decision, so a batch never overshoots the task that decides.
 */
async function inBatches<T>(
  tasks: readonly MasTask[],
  nextSize: (ids: string[], scores: ReadonlyArray<ReadonlyMap<string, number>>) => number,
  sets: readonly ScoresOn[],
  decide: (ids: string[], scores: ReadonlyArray<ReadonlyMap<string, number>>, remaining: number) => T | undefined,
): Promise<{ outcome: T | undefined; ids: string[]; scores: ReadonlyArray<ReadonlyMap<string, number>>; remaining: number }> {
  let end = 0;
  let ids: string[] = [];
  let scores: Array<ReadonlyMap<string, number>> = sets.map(() => new Map<string, number>());
  for (;;) {
    end = Math.min(tasks.length, end + Math.max(1, Math.floor(nextSize(ids, scores))));
    const shown = tasks.slice(0, end);
    scores = [];
    for (const set of sets) scores.push(await set(shown));
    ids = shown.map((t) => t.id).filter((id) => scores.every((s) => s.has(id)));
    const remaining = tasks.length - end;
    const outcome = decide(ids, scores, remaining);
    if (outcome !== undefined || end >= tasks.length) return { outcome, ids, scores, remaining };
  }
}

/** Up to `step` tasks, but no more than the fewest that could lift `diffs` to acceptance at α. */
const batchFor = (step: number, ...needs: Array<[readonly number[], number]>) => Math.min(Math.max(1, Math.floor(step)), Math.max(1, Math.min(...needs.map(([d, alpha]) => tasksToAccept(d, alpha, Math.max(1, Math.floor(step)))))));

/**
 * The gate: `candidate` against `baseline` until the e-process at level α accepts or cannot — on a
 * split too small for that, the whole split under the exact sign test (pairedGate.ts usesSignTest).
 * `affordable`, given the tasks compared so far, says how many more the budget pays for
 * (affordableTasks.ts); the e-process then counts only those as remaining, so a comparison the
 * budget would cut off before it could accept stops now. It only ever stops early to reject, so
 * the bound α is untouched.
 */
export async function compareSequentially(tasks: readonly MasTask[], step: number, alpha: number, baseline: ScoresOn, candidate: ScoresOn, affordable?: (compared: number) => number): Promise<SequentialComparison> {
  // A split too small for the e-process ever to accept is decided by the exact sign test on all of it.
  const sign = usesSignTest(tasks.length, alpha);
  const verdictOf = sign ? signVerdict : pairedVerdict;
  let verdict = verdictOf([], tasks.length, alpha);
  // A split that could not show an improvement even if every task were fixed is not run at all.
  if (verdict.stop === 'out-of-reach') return { ids: [], baseline: new Map(), candidate: new Map(), verdict, remaining: tasks.length };
  const size = (ids: string[], [b, c]: ReadonlyArray<ReadonlyMap<string, number>>) => (sign ? step : batchFor(step, [diffs(ids, c as ReadonlyMap<string, number>, b as ReadonlyMap<string, number>), alpha]));
  let budgetBound: number | undefined;
  const run = await inBatches(tasks, size, [baseline, candidate], (ids, [b, c], remaining) => {
    const d = diffs(ids, c as ReadonlyMap<string, number>, b as ReadonlyMap<string, number>);
    verdict = verdictOf(d, remaining, alpha);
    // The sign test needs the whole split; only the e-process can stop on what is left to pay for.
    const paid = sign || !affordable || verdict.stop ? undefined : affordable(ids.length);
    if (paid !== undefined && paid < remaining) {
      const bounded = pairedVerdict(d, paid, alpha);
      if (bounded.stop === 'out-of-reach' || bounded.stop === 'futile') [verdict, budgetBound] = [bounded, paid];
    }
    return verdict.stop;
  });
  return {
    ids: run.ids,
    baseline: run.scores[0] as ReadonlyMap<string, number>,
    candidate: run.scores[1] as ReadonlyMap<string, number>,
    verdict,
    remaining: run.remaining,
    ...(budgetBound !== undefined ? { affordable: budgetBound } : {}),
  };
}

export interface PruneVerdict {
  /** Drop the item: the set without it beats the previous best and is no worse than the set with it. */
  drop: boolean;
  n: number;
  /** The set without the item against the previous best (the safety test, at `alphaDrop`). */
  againstPrevious: PairedVerdict;
  /** The set with the item against the set without it (does the item help?). */
  itemHelps: PairedVerdict;
  withMean: number;
  withoutMean: number;
  remaining: number;
  /** Why it stopped, in words. */
  why: string;
}

const meanOn = (ids: readonly string[], s: ReadonlyMap<string, number>) => (ids.length ? ids.reduce((a, id) => a + (s.get(id) as number), 0) / ids.length : 0);

/**
 * One pruning test, sequential like the gate. The set without the item replaces the set with it
 * only when (1) it beats the previous best by the paired e-process at `alphaDrop`, so a pruned set
 * that is no better than the previous best is accepted with probability at most `alphaDrop` (the
 * loop tests pruned sets as a fixed sequence, which lets each use the round's whole α), and
 * (2) on the same tasks it scores at least as well as the set with the item. The test stops early, keeping the item, as soon as the item is shown to help
 * (the set with it beats the set without it at `alphaKeep`; keeping the gate's candidate is always
 * safe, so this level only decides when to stop looking) or the set without it can no longer
 * beat the previous best.
 */
export async function pruneSequentially(tasks: readonly MasTask[], step: number, alphaDrop: number, alphaKeep: number, previous: ScoresOn, withItem: ScoresOn, withoutItem: ScoresOn): Promise<PruneVerdict> {
  let againstPrevious = pairedVerdict([], tasks.length, alphaDrop);
  let itemHelps = pairedVerdict([], tasks.length, alphaKeep);
  let why = '';
  const next = (ids: string[], [p, wo, w]: ReadonlyArray<ReadonlyMap<string, number>>) =>
    batchFor(step, [diffs(ids, wo as ReadonlyMap<string, number>, p as ReadonlyMap<string, number>), alphaDrop], [diffs(ids, w as ReadonlyMap<string, number>, wo as ReadonlyMap<string, number>), alphaKeep]);
  const run = await inBatches(tasks, next, [previous, withoutItem, withItem], (ids, [p, wo, w], remaining) => {
    const prev = p as ReadonlyMap<string, number>;
    const without = wo as ReadonlyMap<string, number>;
    const withIt = w as ReadonlyMap<string, number>;
    againstPrevious = pairedVerdict(diffs(ids, without, prev), remaining, alphaDrop);
    itemHelps = pairedVerdict(diffs(ids, withIt, without), remaining, alphaKeep);
    if (itemHelps.stop === 'accepted') {
      why = `the item helps: ${itemHelps.fixed} tasks better with it, ${itemHelps.broken} worse (e = ${itemHelps.eValue.toPrecision(3)} ≥ ${itemHelps.threshold.toPrecision(3)})`;
      return false;
    }
    if (againstPrevious.stop === 'accepted') {
      const a = meanOn(ids, without);
      const b = meanOn(ids, withIt);
      why = a >= b ? `without it the set still beats the previous best and scores ${a.toFixed(3)} vs ${b.toFixed(3)} with it` : `without it the set beats the previous best but scores ${a.toFixed(3)} vs ${b.toFixed(3)} with it`;
      return a >= b;
    }
    if (againstPrevious.stop) {
      why = `without it the set is not shown to beat the previous best (${againstPrevious.fixed} fixed, ${againstPrevious.broken} broken; e = ${againstPrevious.eValue.toPrecision(3)} < ${againstPrevious.threshold.toPrecision(3)})`;
      return false;
    }
    return undefined;
  });
  const withScores = run.scores[2] as ReadonlyMap<string, number>;
  const withoutScores = run.scores[1] as ReadonlyMap<string, number>;
  return {
    drop: run.outcome === true,
    n: run.ids.length,
    againstPrevious,
    itemHelps,
    withMean: meanOn(run.ids, withScores),
    withoutMean: meanOn(run.ids, withoutScores),
    remaining: run.remaining,
    why: why || 'no validation task has a score for every set',
  };
}
