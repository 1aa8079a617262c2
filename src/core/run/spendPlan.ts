/**
 * The go/no-go question asked before a run or an optimize run spends anything: what it is
 * projected to cost, against the caps that are left after what earlier invocations spent. The CLI
 * prints it (and asks, or refuses in CI, when the plan breaks a cap); the editor shows it in a
 * modal. A caller that says "go" on a plan over the cap gets a run that stops cleanly at the cap
 * and can be resumed with a larger one.
 */
import { BUDGET_SETTING, type BudgetDimension, type BudgetLimits, type CostProjection, type Spend } from '../llm';

export interface SpendPlan {
  what: 'run' | 'optimize' | 'intervention';
  projection: CostProjection;
  /** False when some calls cannot be projected (a command MAS makes its own). */
  complete: boolean;
  /** The caps of truce.yaml (or --max-usd), for the whole run across invocations. */
  limits: BudgetLimits;
  /** What earlier invocations of the same run spent (zero for a new run). */
  spent: Spend;
}

/** Answers the question; false stops before anything is spent or written. */
export type ConfirmSpend = (plan: SpendPlan) => Promise<boolean>;

/** The caps the plan breaks, judged on what is left of each after earlier invocations. */
export function capsBroken(plan: SpendPlan): BudgetDimension[] {
  const { projection: p, limits, spent } = plan;
  const out: BudgetDimension[] = [];
  if (limits.maxCalls !== undefined && p.calls > limits.maxCalls - spent.calls) out.push('calls');
  if (limits.maxTokens !== undefined && p.inputTokens + p.outputTokens > limits.maxTokens - spent.tokens) out.push('tokens');
  if (limits.maxCostUsd !== undefined && p.costUsd > limits.maxCostUsd - spent.costUsd) out.push('costUsd');
  return out;
}

export function usd(x: number): string {
  return `$${x.toFixed(x < 1 ? 4 : 2)}`;
}

/** The lines shown before starting: projection, cap, and what happens when the cap is reached. */
export function describeSpendPlan(plan: SpendPlan): string[] {
  const { projection: p, limits, spent } = plan;
  const priced = p.unpricedRoles.length === 0;
  const lines = [
    `Projected ${plan.what === 'optimize' ? 'for the whole optimize run' : `for this ${plan.what}`}: ${p.calls} LLM calls, ~${p.inputTokens + p.outputTokens} tokens${priced ? `, ~${usd(p.costUsd)}` : ''}${plan.complete ? '' : ' (a command MAS makes calls that cannot be projected)'}.`,
  ];
  const checks = p.byPhase.intervention;
  if (plan.what === 'optimize' && checks) lines.push(`Of these, at most ${checks.calls} calls${priced ? ` (~${usd(checks.costUsd)})` : ''} re-run tasks to check blame credit is unsure of (optimizer.intervene; its share of the budget is never exceeded).`);
  if (!priced) lines.push(`No prices configured for ${p.unpricedRoles.join(', ')}: their calls count as $0, so a dollar cap does not limit them (set pricePer1kInput / pricePer1kOutput).`);
  const earlier = spent.costUsd > 0 || spent.calls > 0 ? ` (${usd(spent.costUsd)} and ${spent.calls} calls spent by earlier invocations)` : '';
  if (limits.maxCostUsd !== undefined) lines.push(`Cost cap: ${usd(limits.maxCostUsd)}${earlier}; ${usd(Math.max(0, limits.maxCostUsd - spent.costUsd))} left.`);
  else lines.push('Cost cap: none (set budget.maxCost in truce.yaml or pass --max-usd).');
  if (limits.maxCalls !== undefined) lines.push(`Call cap: ${limits.maxCalls} (${Math.max(0, limits.maxCalls - spent.calls)} left).`);
  if (limits.maxTokens !== undefined) lines.push(`Token cap: ${limits.maxTokens} (${Math.max(0, limits.maxTokens - spent.tokens)} left).`);
  const broken = capsBroken(plan);
  if (broken.length) lines.push(`The projection exceeds the ${broken.map(capName).join(' and ')}: the ${plan.what} stops cleanly when a cap is reached and can be resumed with a larger one.`);
  return lines;
}

/**
 * What a resume needs to get past the caps a run stopped at, or was refused for: the cost cap can be
 * raised on the command line (--max-usd), the call and token caps only in truce.yaml. Telling a
 * user who hit the call cap to pass a larger --max-usd sends them round in a circle.
 */
export function howToRaise(dimensions: readonly BudgetDimension[]): string {
  const inYaml = dimensions.filter((d) => d !== 'costUsd').map((d) => `budget.${BUDGET_SETTING[d]}`);
  const parts = [...(inYaml.length ? [`raise ${inYaml.join(' and ')} in truce.yaml`] : []), ...(dimensions.includes('costUsd') ? ['pass a larger --max-usd'] : [])];
  return parts.join(' and ');
}

const BUDGET_DIMENSIONS = Object.keys(BUDGET_SETTING) as BudgetDimension[];

/** The caps a stop reason names (budget stops name the truce.yaml key of the cap they hit); the cost cap when none is named. */
export function capsNamedIn(reason: string | undefined): BudgetDimension[] {
  const named = BUDGET_DIMENSIONS.filter((d) => reason?.includes(BUDGET_SETTING[d]));
  return named.length ? named : ['costUsd'];
}

export function capName(dimension: BudgetDimension): string {
  return { calls: 'call cap (budget.maxCalls)', tokens: 'token cap (budget.maxTokens)', costUsd: 'cost cap (budget.maxCost / --max-usd)' }[dimension];
}
