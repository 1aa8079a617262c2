/**
 * Projected spend of a planned run, shown before it starts ("about 1 840 calls, ~$3.10"). Uses the
 * same estimates as the budget, so a plan that fits the projection fits the caps too.
 */
import type { BudgetDimension } from './errors';
import type { BudgetLimits } from './budget';
import { costUsd, DEFAULT_REPLY_TOKENS, isPriced, type Prices } from './tokens';
import type { EndpointRole } from './types';

export interface PlannedCalls {
  role: EndpointRole;
  phase: string;
  /** How many calls of this shape. */
  calls: number;
  /** Prompt size per call, in tokens (preferred) or characters (estimated as chars/4). */
  promptTokens?: number;
  promptChars?: number;
  /** Reply size per call; defaults to the endpoint's maxTokens, then DEFAULT_REPLY_TOKENS. */
  replyTokens?: number;
}

export interface ProjectedSpend {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface CostProjection extends ProjectedSpend {
  byPhase: Record<string, ProjectedSpend>;
  byRole: Partial<Record<EndpointRole, ProjectedSpend>>;
  /** Roles with planned calls but no prices: their cost counts as zero. */
  unpricedRoles: EndpointRole[];
  /** Caps the plan would break. */
  exceeds: BudgetDimension[];
}

export type EndpointPricing = Prices & { maxTokens?: number };

export function projectCost(
  plan: readonly PlannedCalls[],
  endpoints: Partial<Record<EndpointRole, EndpointPricing>>,
  limits: BudgetLimits = {},
): CostProjection {
  const total = emptySpend();
  const byPhase: Record<string, ProjectedSpend> = {};
  const byRole: Partial<Record<EndpointRole, ProjectedSpend>> = {};
  const unpriced = new Set<EndpointRole>();
  for (const item of plan) {
    if (item.calls <= 0) continue;
    const endpoint = endpoints[item.role] ?? {};
    if (!isPriced(endpoint)) unpriced.add(item.role);
    const prompt = item.promptTokens ?? Math.ceil((item.promptChars ?? 0) / 4);
    const reply = item.replyTokens ?? endpoint.maxTokens ?? DEFAULT_REPLY_TOKENS;
    const spend: ProjectedSpend = {
      calls: item.calls,
      inputTokens: prompt * item.calls,
      outputTokens: reply * item.calls,
      costUsd: costUsd(prompt, reply, endpoint) * item.calls,
    };
    addSpend(total, spend);
    addSpend((byPhase[item.phase] ??= emptySpend()), spend);
    addSpend((byRole[item.role] ??= emptySpend()), spend);
  }
  const exceeds: BudgetDimension[] = [];
  if (limits.maxCalls !== undefined && total.calls > limits.maxCalls) exceeds.push('calls');
  if (limits.maxTokens !== undefined && total.inputTokens + total.outputTokens > limits.maxTokens) exceeds.push('tokens');
  if (limits.maxCostUsd !== undefined && total.costUsd > limits.maxCostUsd) exceeds.push('costUsd');
  return { ...total, byPhase, byRole, unpricedRoles: [...unpriced].sort(), exceeds };
}

function emptySpend(): ProjectedSpend {
  return { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

function addSpend(target: ProjectedSpend, delta: ProjectedSpend): void {
  target.calls += delta.calls;
  target.inputTokens += delta.inputTokens;
  target.outputTokens += delta.outputTokens;
  target.costUsd += delta.costUsd;
}
