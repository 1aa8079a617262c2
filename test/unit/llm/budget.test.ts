import { strict as assert } from 'node:assert';
import { Budget } from '../../../src/core/llm/budget';
import { BudgetExceededError } from '../../../src/core/llm/errors';
import { projectCost } from '../../../src/core/llm/projection';

describe('llm/budget', () => {
  it('counts reservations of calls in flight against the caps', () => {
    const budget = new Budget({ maxTokens: 1000 });
    const a = budget.reserve({ calls: 1, tokens: 400, costUsd: 0 });
    budget.reserve({ calls: 1, tokens: 400, costUsd: 0 });
    assert.throws(
      () => budget.reserve({ calls: 1, tokens: 400, costUsd: 0 }),
      (e: unknown) => e instanceof BudgetExceededError && e.dimension === 'tokens' && e.reserved === 800 && e.requested === 400,
    );
    budget.settle(a, { calls: 1, tokens: 150, costUsd: 0 });
    assert.doesNotThrow(() => budget.reserve({ calls: 1, tokens: 400, costUsd: 0 }));
    assert.deepEqual(budget.snapshot().spent, { calls: 1, tokens: 150, costUsd: 0 });
  });

  it('frees a released reservation and starts from what a resumed run already spent', () => {
    const budget = new Budget({ maxCalls: 3, maxCostUsd: 1 }, { calls: 2, costUsd: 0.5 });
    const r = budget.reserve({ calls: 1, tokens: 10, costUsd: 0.1 });
    assert.throws(() => budget.reserve({ calls: 1, tokens: 10, costUsd: 0.1 }), (e: unknown) => e instanceof BudgetExceededError && e.dimension === 'calls');
    budget.release(r);
    assert.equal(budget.snapshot().reserved.calls, 0);
    assert.throws(() => budget.reserve({ calls: 1, tokens: 10, costUsd: 0.6 }), (e: unknown) => e instanceof BudgetExceededError && e.dimension === 'costUsd');
  });

  it('projects spend per phase and role and names the caps a plan breaks', () => {
    const projection = projectCost(
      [
        { role: 'executor', phase: 'rollout', calls: 100, promptTokens: 500, replyTokens: 200 },
        { role: 'optimizer', phase: 'phi', calls: 10, promptChars: 8000 },
        { role: 'judge', phase: 'judge', calls: 5, promptTokens: 100 },
      ],
      {
        executor: { pricePer1kInput: 0.001, pricePer1kOutput: 0.002 },
        optimizer: { pricePer1kInput: 0.01, pricePer1kOutput: 0.03, maxTokens: 1000 },
      },
      { maxCostUsd: 0.5, maxCalls: 1000 },
    );
    assert.equal(projection.calls, 115);
    assert.equal(projection.byPhase['phi']?.inputTokens, 20_000);
    assert.equal(projection.byPhase['phi']?.outputTokens, 10_000);
    const expected = 100 * (0.5 * 0.001 + 0.2 * 0.002) + 10 * (2 * 0.01 + 1 * 0.03);
    assert.ok(Math.abs(projection.costUsd - expected) < 1e-9);
    assert.deepEqual(projection.unpricedRoles, ['judge']);
    assert.deepEqual(projection.exceeds, ['costUsd']);
  });
});
