/**
 * How many more validation tasks the run's budget can still pay for, so that the gate can stop a
 * comparison the budget would cut off before it could ever accept. Without this, a candidate with
 * a small real gain on a large split is neither out of reach nor futile (the split could still
 * hold the fixes it needs), and the gate ran it until the budget stopped the whole run mid-round:
 * every call of that comparison wasted, and no call left for a later round.
 *
 * The estimate is generous on purpose: each capped dimension (calls, tokens, cost) is divided by
 * the cheapest per-task spend of any batch seen so far, and a batch that cost nothing (answered
 * from the response cache) makes the count unbounded. A low estimate could reject a candidate
 * the budget could in truth have carried to acceptance; a high one only costs what the gate spent
 * before, never a wrong acceptance: the count is used only ever to stop, and stopping only rejects.
 */
import { limitsLeft, type BudgetSnapshot } from '../llm';

type Dimension = 'calls' | 'tokens' | 'costUsd';
const DIMENSIONS: ReadonlyArray<[Dimension, 'maxCalls' | 'maxTokens' | 'maxCostUsd']> = [
  ['calls', 'maxCalls'],
  ['tokens', 'maxTokens'],
  ['costUsd', 'maxCostUsd'],
];

export class AffordableTasks {
  private lastSpent: Record<Dimension, number>;
  private lastTasks = 0;
  private readonly cheapest: Partial<Record<Dimension, number>> = {};

  /** `snapshot` reads the run's budget: its caps and what was spent so far. */
  constructor(private readonly snapshot: () => Pick<BudgetSnapshot, 'limits' | 'spent'>) {
    this.lastSpent = { ...snapshot().spent };
  }

  /** After `tasksRun` tasks of the comparison (both sets scored): how many more the budget pays for. */
  after(tasksRun: number): number {
    const { limits, spent } = this.snapshot();
    const batch = tasksRun - this.lastTasks;
    if (batch > 0) {
      for (const [dimension] of DIMENSIONS) {
        const perTask = (spent[dimension] - this.lastSpent[dimension]) / batch;
        this.cheapest[dimension] = Math.min(this.cheapest[dimension] ?? Number.POSITIVE_INFINITY, perTask);
      }
      this.lastSpent = { ...spent };
      this.lastTasks = tasksRun;
    }
    const left = limitsLeft(limits, spent);
    let affordable = Number.POSITIVE_INFINITY;
    for (const [dimension, cap] of DIMENSIONS) {
      const room = left[cap];
      const perTask = this.cheapest[dimension];
      if (room === undefined || perTask === undefined || !(perTask > 0)) continue;
      affordable = Math.min(affordable, Math.max(0, Math.floor(room / perTask)));
    }
    return affordable;
  }
}
