/**
 * Hard caps on calls, tokens and cost for a run. A call reserves its estimate before it is sent
 * and settles to its real usage afterwards, so concurrent calls cannot jointly overshoot a cap
 * that each of them alone would respect.
 */
import { BudgetExceededError, type BudgetDimension } from './errors';

export interface BudgetLimits {
  maxCalls?: number;
  maxTokens?: number;
  maxCostUsd?: number;
}

export interface Spend {
  calls: number;
  tokens: number;
  costUsd: number;
}

export interface BudgetReservation {
  readonly id: number;
  readonly estimate: Spend;
}

export interface BudgetSnapshot {
  limits: BudgetLimits;
  spent: Spend;
  /** Held by calls in flight. */
  reserved: Spend;
}

const zero = (): Spend => ({ calls: 0, tokens: 0, costUsd: 0 });

/** What each cap still allows after `spent` (may be negative when a call overshot); uncapped stays uncapped. */
export function limitsLeft(limits: BudgetLimits, spent: Spend): BudgetLimits {
  const out: BudgetLimits = {};
  if (limits.maxCalls !== undefined) out.maxCalls = limits.maxCalls - spent.calls;
  if (limits.maxTokens !== undefined) out.maxTokens = limits.maxTokens - spent.tokens;
  if (limits.maxCostUsd !== undefined) out.maxCostUsd = limits.maxCostUsd - spent.costUsd;
  return out;
}

export class Budget {
  private readonly spent: Spend;
  private readonly reserved: Spend = zero();
  private readonly open = new Map<number, Spend>();
  private nextId = 1;

  /** `alreadySpent` lets a resumed run carry on against the same caps. */
  constructor(
    readonly limits: BudgetLimits = {},
    alreadySpent: Partial<Spend> = {},
  ) {
    this.spent = { ...zero(), ...alreadySpent };
  }

  /** Holds `estimate` or throws BudgetExceededError naming the first cap it would break. */
  reserve(estimate: Spend): BudgetReservation {
    const checks: Array<[BudgetDimension, number | undefined, keyof Spend]> = [
      ['calls', this.limits.maxCalls, 'calls'],
      ['tokens', this.limits.maxTokens, 'tokens'],
      ['costUsd', this.limits.maxCostUsd, 'costUsd'],
    ];
    for (const [dimension, limit, field] of checks) {
      if (limit === undefined) continue;
      if (this.spent[field] + this.reserved[field] + estimate[field] > limit) {
        throw new BudgetExceededError(dimension, limit, this.spent[field], this.reserved[field], estimate[field]);
      }
    }
    const id = this.nextId++;
    this.open.set(id, { ...estimate });
    add(this.reserved, estimate, 1);
    return { id, estimate: { ...estimate } };
  }

  /** Replaces the reservation by what the call really used (which may exceed the estimate). */
  settle(reservation: BudgetReservation, actual: Spend): void {
    this.release(reservation);
    add(this.spent, actual, 1);
  }

  /** Drops a reservation without spending (the call was never sent). */
  release(reservation: BudgetReservation): void {
    const held = this.open.get(reservation.id);
    if (!held) return;
    this.open.delete(reservation.id);
    add(this.reserved, held, -1);
  }

  /**
   * Adds spend that was never reserved: calls the MAS made on its own and reported afterwards (its
   * spans). Returns the cap the spend has now gone past, if any, so the run can stop there.
   */
  charge(actual: Spend): BudgetDimension | undefined {
    add(this.spent, actual, 1);
    if (this.limits.maxCalls !== undefined && this.spent.calls > this.limits.maxCalls) return 'calls';
    if (this.limits.maxTokens !== undefined && this.spent.tokens > this.limits.maxTokens) return 'tokens';
    if (this.limits.maxCostUsd !== undefined && this.spent.costUsd > this.limits.maxCostUsd) return 'costUsd';
    return undefined;
  }

  snapshot(): BudgetSnapshot {
    return { limits: { ...this.limits }, spent: { ...this.spent }, reserved: { ...this.reserved } };
  }
}

function add(target: Spend, delta: Spend, sign: 1 | -1): void {
  target.calls += sign * delta.calls;
  target.tokens += sign * delta.tokens;
  target.costUsd += sign * delta.costUsd;
}
