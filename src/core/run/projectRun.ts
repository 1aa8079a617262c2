/**
 * The calls a run will make, planned before it starts, and their projected spend. For the rounds
 * MAS the structure fixes the count: per task, every role speaks once per round, one aggregator
 * writes the state after each round, and the decision agent answers once (the earlyStop option
 * can only make it fewer). A judge evaluator adds one judge call per task; the reachability probe
 * adds one. A command MAS makes calls we cannot see in advance: its projection is marked unknown.
 */
import type { TruceConfig } from '../config';
import { DEFAULT_REPLY_TOKENS, projectCost, type BudgetLimits, type CostProjection, type PlannedCalls } from '../llm';
import type { MasTask, PromptSet } from '../mas/types';
import { projectedPricing } from '../llm/batch/batchPricing';

export interface RunProjection extends CostProjection {
  /** False when the MAS's calls cannot be known in advance (command MAS): figures cover only what can. */
  complete: boolean;
}

export function budgetLimits(config: TruceConfig): BudgetLimits {
  const limits: BudgetLimits = {};
  if (config.budget.maxCalls !== undefined) limits.maxCalls = config.budget.maxCalls;
  if (config.budget.maxTokens !== undefined) limits.maxTokens = config.budget.maxTokens;
  if (config.budget.maxCost !== undefined) limits.maxCostUsd = config.budget.maxCost;
  return limits;
}

export function planCalls(config: TruceConfig, prompts: PromptSet, tasks: readonly MasTask[], options: { probe: boolean }): { plan: PlannedCalls[]; complete: boolean } {
  const plan: PlannedCalls[] = [];
  const mas = config.mas;
  const n = tasks.length;
  // Sizes are per-call averages: the agent's prompt, the task, and what the call reads.
  const reply = (config.llm.executor.maxTokens ?? DEFAULT_REPLY_TOKENS) * 4;
  const input = n ? tasks.reduce((sum, t) => sum + t.input.length, 0) / n : 0;
  const system = (agentId: string) => prompts.agents[agentId]?.systemPrompt.length ?? 0;
  if (options.probe) plan.push({ role: 'executor', phase: 'probe', calls: 1, promptChars: 40, replyTokens: 8 });
  if (mas.kind === 'rounds' && n > 0) {
    const stateShare = (mas.rounds - 1) / mas.rounds;
    for (const role of mas.roles) {
      plan.push({ role: 'executor', phase: 'rollout', calls: n * mas.rounds, promptChars: Math.ceil(system(role) + input + stateShare * reply) });
    }
    const aggregators = Array.isArray(mas.aggregator) ? mas.aggregator : Array.from({ length: mas.rounds }, () => mas.aggregator as string);
    for (const agg of aggregators) {
      plan.push({ role: 'executor', phase: 'rollout', calls: n, promptChars: Math.ceil(system(agg) + input + (mas.roles.length + stateShare) * reply) });
    }
    const decision = mas.decision ?? aggregators[aggregators.length - 1];
    plan.push({ role: 'executor', phase: 'rollout', calls: n, promptChars: Math.ceil(system(decision) + input + reply) });
  }
  if (config.evaluator.type === 'llm-judge' && n > 0) {
    plan.push({ role: 'judge', phase: 'judge', calls: n, promptChars: Math.ceil(config.evaluator.rubric.length + input + 2 * reply) });
  }
  return { plan, complete: mas.kind === 'rounds' };
}

export function projectRun(config: TruceConfig, prompts: PromptSet, tasks: readonly MasTask[], options: { probe: boolean; limits: BudgetLimits }): RunProjection {
  const { plan, complete } = planCalls(config, prompts, tasks, options);
  const judge = config.llm.judge ?? config.llm.executor;
  const projection = projectCost(plan, { executor: projectedPricing(config.llm.executor), judge: projectedPricing(judge) }, options.limits);
  return { ...projection, complete };
}

/** "about 120 calls, ~96 000 tokens, ~$0.42" — the figures a refusal or a progress line shows. */
export function describeSpend(spend: { calls: number; inputTokens: number; outputTokens: number; costUsd: number }, priced: boolean): string {
  const tokens = spend.inputTokens + spend.outputTokens;
  const cost = priced ? `, ~$${spend.costUsd.toFixed(spend.costUsd < 1 ? 4 : 2)}` : '';
  return `${spend.calls} calls, ~${tokens} tokens${cost}`;
}

/** The refusal message when the plan breaks a cap, with the figures on both sides. */
export function overBudgetMessage(projection: RunProjection, limits: BudgetLimits, alreadySpent: { calls: number; tokens: number; costUsd: number }): string {
  const parts: string[] = [];
  const left = (limit: number, spent: number) => Math.max(0, limit - spent);
  if (projection.exceeds.includes('calls') && limits.maxCalls !== undefined) {
    parts.push(`${projection.calls} calls planned, budget.maxCalls allows ${left(limits.maxCalls, alreadySpent.calls)}${alreadySpent.calls ? ' more' : ''}`);
  }
  if (projection.exceeds.includes('tokens') && limits.maxTokens !== undefined) {
    parts.push(`~${projection.inputTokens + projection.outputTokens} tokens projected, budget.maxTokens allows ${left(limits.maxTokens, alreadySpent.tokens)}${alreadySpent.tokens ? ' more' : ''}`);
  }
  if (projection.exceeds.includes('costUsd') && limits.maxCostUsd !== undefined) {
    parts.push(`~$${projection.costUsd.toFixed(4)} projected, budget.maxCost allows $${left(limits.maxCostUsd, alreadySpent.costUsd).toFixed(4)}${alreadySpent.costUsd ? ' more' : ''}`);
  }
  return `The planned run does not fit the budget: ${parts.join('; ')}. Raise the budget in truce.yaml, or run fewer tasks (--limit N, --split val).`;
}
