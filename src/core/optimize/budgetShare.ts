/**
 * One budget for a whole optimize run. The optimizer's own calls go through a Budget; rollouts run
 * through runMas, which enforces the caps it is given. So each rollout gets the caps minus what the
 * optimize run has spent so far, and what the rollout spent is charged back to the shared Budget.
 */
import { limitsLeft, type Budget, type BudgetLimits, type UsageTotals } from '../llm';

export function remainingLimits(budget: Budget): BudgetLimits {
  const { limits, spent } = budget.snapshot();
  return limitsLeft(limits, spent);
}

export function exhausted(limits: BudgetLimits): string | undefined {
  if (limits.maxCalls !== undefined && limits.maxCalls < 1) return 'the call budget (budget.maxCalls) is used up';
  if (limits.maxTokens !== undefined && limits.maxTokens < 1) return 'the token budget (budget.maxTokens) is used up';
  if (limits.maxCostUsd !== undefined && limits.maxCostUsd <= 0) return 'the cost budget (budget.maxCost) is used up';
  return undefined;
}

/** Records spend made outside the Budget (a rollout's calls) so later reservations see it. */
export function charge(budget: Budget, usage: Pick<UsageTotals, 'calls' | 'inputTokens' | 'outputTokens' | 'costUsd'>): void {
  const spend = { calls: usage.calls, tokens: usage.inputTokens + usage.outputTokens, costUsd: usage.costUsd };
  budget.settle({ id: -1, estimate: { calls: 0, tokens: 0, costUsd: 0 } }, spend);
}
