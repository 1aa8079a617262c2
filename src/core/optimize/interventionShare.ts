/**
 * How much of an optimize run's budget its intervention phase may spend (optimizer.intervene):
 * `maxShare` of every cap truce.yaml sets (calls, tokens, cost). A run without caps has no budget
 * to take a share of, so the share is of the calls projected for the run without interventions.
 * The cap holds over the whole run; each intervention is run with what is left of it as its own
 * budget, so the last one stops at the cap rather than past it.
 */
import type { BudgetLimits } from '../llm';
import { exhausted } from './budgetShare';

export interface InterventionSpent {
  calls: number;
  tokens: number;
  costUsd: number;
}

export function interventionCap(limits: BudgetLimits, maxShare: number, projectedCalls: number): BudgetLimits {
  const cap: BudgetLimits = {};
  if (limits.maxCalls !== undefined) cap.maxCalls = Math.floor(limits.maxCalls * maxShare);
  if (limits.maxTokens !== undefined) cap.maxTokens = Math.floor(limits.maxTokens * maxShare);
  if (limits.maxCostUsd !== undefined) cap.maxCostUsd = limits.maxCostUsd * maxShare;
  if (cap.maxCalls === undefined && cap.maxTokens === undefined && cap.maxCostUsd === undefined) cap.maxCalls = Math.floor(projectedCalls * maxShare);
  return cap;
}

/**
 * Whether nothing is left of the share (what llm's limitsLeft gives for the cap and what was spent):
 * the run's own test for a used-up budget, on the share.
 */
export function capUsedUp(left: BudgetLimits): boolean {
  return exhausted(left) !== undefined;
}

/**
 * Calls one round's interventions are projected to make at most: every batch task failing with an
 * uncertain blame, each candidate step tried (a correction call, then `repeats` re-runs of the
 * task's calls — an upper bound, as only the calls after the corrected step go out).
 */
export function roundInterventionCalls(batchTasks: number, callsPerTask: number, candidates: number, repeats: number): number {
  return batchTasks * candidates * (1 + repeats * callsPerTask);
}

export function describeCap(cap: BudgetLimits): string {
  const parts: string[] = [];
  if (cap.maxCalls !== undefined) parts.push(`${cap.maxCalls} calls`);
  if (cap.maxTokens !== undefined) parts.push(`${cap.maxTokens} tokens`);
  if (cap.maxCostUsd !== undefined) parts.push(`$${cap.maxCostUsd.toFixed(4)}`);
  return parts.join(', ');
}
