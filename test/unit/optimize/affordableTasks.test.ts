/**
 * The gate stops a comparison the budget would cut off before it could accept (affordableTasks.ts,
 * sequentialValidation.ts). The count of tasks the budget pays for must err on the high side, and
 * a stop on it must only ever reject.
 */
import { strict as assert } from 'node:assert';
import { pairedDecision } from '../../../src/core/optimize/accept';
import { AffordableTasks } from '../../../src/core/optimize/affordableTasks';
import { compareSequentially, type ScoresOn } from '../../../src/core/optimize/sequentialValidation';
import type { MasTask } from '../../../src/core/mas';
import type { BudgetLimits } from '../../../src/core/llm';

const tasks: MasTask[] = Array.from({ length: 60 }, (_, i) => ({ id: `t${String(i).padStart(2, '0')}`, input: `task ${i}` }));

/** A budget whose spend grows by `perTask` calls for every task a set runs. */
function meteredBudget(limits: BudgetLimits, perTask: (i: number) => number) {
  const spent = { calls: 0, tokens: 0, costUsd: 0 };
  const snapshot = () => ({ limits: { ...limits }, spent: { ...spent } });
  const set = (score: (i: number) => number): ScoresOn => {
    const known = new Map<string, number>();
    return async (shown) => {
      for (const t of shown) {
        const i = Number(t.id.slice(1));
        if (known.has(t.id)) continue;
        known.set(t.id, score(i));
        spent.calls += perTask(i);
      }
      return new Map(shown.map((t) => [t.id, known.get(t.id) as number]));
    };
  };
  return { snapshot, set, spent };
}

describe('the budget in the paired gate', () => {
  it('counts the tasks left to pay for by the cheapest batch so far, and without bound when a batch was free or nothing is capped', () => {
    const limits = { maxCalls: 100 };
    let spent = 0;
    const counter = new AffordableTasks(() => ({ limits, spent: { calls: spent, tokens: 0, costUsd: 0 } }));
    assert.equal(counter.after(0), Number.POSITIVE_INFINITY, 'nothing seen yet');
    spent = 20; // 4 tasks at 5 calls
    assert.equal(counter.after(4), 16);
    spent = 60; // 4 more at 10 calls: the cheaper batch still counts
    assert.equal(counter.after(8), 8);
    spent = 60; // 4 more from the cache
    assert.equal(counter.after(12), Number.POSITIVE_INFINITY);
    const uncapped = new AffordableTasks(() => ({ limits: {}, spent: { calls: spent, tokens: 0, costUsd: 0 } }));
    spent = 100;
    assert.equal(uncapped.after(4), Number.POSITIVE_INFINITY);
  });

  it('stops a small gain the budget cannot carry to acceptance, and leaves the comparison as it was when the budget is ample', async () => {
    const alpha = 0.1 / 8;
    // One task in ten fixed, none broken: a real gain that needs many tasks at α = δ/8.
    const gain = (i: number) => (i % 10 === 5 ? 1 : 0);
    const tight = meteredBudget({ maxCalls: 200 }, () => 5);
    const counter = new AffordableTasks(tight.snapshot);
    const stopped = await compareSequentially(tasks, 4, alpha, tight.set(() => 0), tight.set(gain), (n) => counter.after(n));
    assert.ok(stopped.verdict.stop === 'out-of-reach' || stopped.verdict.stop === 'futile', String(stopped.verdict.stop));
    assert.ok(stopped.affordable !== undefined && stopped.affordable < stopped.remaining);
    assert.ok(tight.spent.calls <= 200, `spent ${tight.spent.calls} of 200`);
    const free = await compareSequentially(tasks, 4, alpha, tight.set(() => 0), tight.set(gain));
    assert.ok(free.ids.length > stopped.ids.length, `without the budget it runs on (${free.ids.length} vs ${stopped.ids.length} tasks)`);

    const ample = meteredBudget({ maxCalls: 1_000_000 }, () => 5);
    const roomy = new AffordableTasks(ample.snapshot);
    const strong = (i: number) => (i % 4 === 3 ? 0 : 1);
    const withBudget = await compareSequentially(tasks, 4, alpha, ample.set(() => 0), ample.set(strong), (n) => roomy.after(n));
    const without = await compareSequentially(tasks, 4, alpha, ample.set(() => 0), ample.set(strong));
    assert.deepEqual([withBudget.verdict.stop, withBudget.ids.length, withBudget.affordable], [without.verdict.stop, without.ids.length, undefined]);
    assert.equal(withBudget.verdict.stop, 'accepted');
  });

  it('says in the decision that the budget ended the comparison, and what to do', async () => {
    const tight = meteredBudget({ maxCalls: 120 }, () => 5);
    const counter = new AffordableTasks(tight.snapshot);
    const check = await compareSequentially(tasks, 4, 0.1 / 8, tight.set(() => 0), tight.set((i) => (i % 10 === 5 ? 1 : 0)), (n) => counter.after(n));
    const decision = pairedDecision(check.baseline, check.candidate, check.ids, check.verdict, { delta: 0.1, comparisons: 8 }, check.remaining, check.affordable);
    assert.equal(decision.accepted, false);
    assert.match(decision.reason, /the budget pays for about \d+ more of the \d+ left/);
    assert.match(decision.reason, /budget\.maxCalls/);
  });
});
