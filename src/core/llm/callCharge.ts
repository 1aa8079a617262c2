/**
 * What one chat call holds against the budget and what it has consumed. The call reserves its
 * estimate before it is sent and settles to what the reply reports. A reply the server produced
 * but we could not read (garbled or cut-off body) is billed all the same, at a size we cannot
 * know: it is charged at the estimate, and the retry must fit the budget again before it is sent,
 * so the provider's bill never passes a cap.
 */
import type { Budget, BudgetReservation } from './budget';
import type { EndpointSettings } from './endpoint';
import { costUsd, estimatePromptTokens, estimateTokens } from './tokens';
import type { RawReply } from './transport';
import { BATCH_PRICE_FACTOR } from './batch/batchQueue';
import type { ChatMessage, TokenUsage } from './types';

/** What a call has consumed so far; becomes its call-log record. */
export interface Outcome {
  attempts: number;
  /** Failed attempts the provider billed anyway (its reply was produced but unreadable). */
  billedRetries: number;
  usage: TokenUsage;
  costUsd: number;
  cached: boolean;
}

export class CallCharge {
  readonly estimatedIn: number;
  /** Prompt and reply tokens the call is assumed to take, for the budget and the token limiter. */
  readonly estimatedTotal: number;
  private readonly estimate: { calls: number; tokens: number; costUsd: number };
  private reservation: BudgetReservation | undefined;
  private readonly billed = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

  /** Reserves the estimate; throws BudgetExceededError when it does not fit. */
  constructor(
    private readonly budget: Budget | undefined,
    private readonly prices: EndpointSettings,
    messages: ChatMessage[],
    private readonly replyTokens: number,
    private readonly outcome: Outcome,
  ) {
    this.estimatedIn = estimatePromptTokens(messages);
    this.estimatedTotal = this.estimatedIn + replyTokens;
    this.estimate = { calls: 1, tokens: this.estimatedTotal, costUsd: costUsd(this.estimatedIn, replyTokens, prices) };
    this.reservation = budget?.reserve(this.estimate);
  }

  /**
   * An attempt the provider billed without a readable reply. The call itself counts once; each
   * billed attempt that is followed by another one adds one (billedRetries), in the budget and in
   * the accounting alike. Throws BudgetExceededError when the budget has no room for the retry.
   */
  chargeBilled(retrying: boolean): void {
    const { billed, outcome, budget } = this;
    billed.inputTokens += this.estimatedIn;
    billed.outputTokens += this.replyTokens;
    billed.costUsd += this.estimate.costUsd;
    outcome.usage = { inputTokens: billed.inputTokens, outputTokens: billed.outputTokens, estimated: true };
    outcome.costUsd = billed.costUsd;
    if (budget && this.reservation) budget.settle(this.reservation, this.estimate);
    this.reservation = undefined;
    if (!retrying) return;
    if (budget) this.reservation = budget.reserve(this.estimate);
    outcome.billedRetries++;
  }

  /** The call failed: one that reached the server counts against maxCalls; its tokens are unknown. */
  fail(): void {
    if (this.reservation && this.budget) {
      if (this.outcome.attempts > 0) this.budget.settle(this.reservation, { calls: 1, tokens: 0, costUsd: 0 });
      else this.budget.release(this.reservation);
    }
  }

  /** The reply arrived: its usage (estimated when the server reported none) and cost, settled in the budget. */
  settle(reply: RawReply, batched: boolean): { usage: TokenUsage; spentTokens: number } {
    const { outcome, billed } = this;
    const usage: TokenUsage = reply.usage
      ? { ...reply.usage, estimated: false }
      : { inputTokens: this.estimatedIn, outputTokens: estimateTokens(reply.content), estimated: true };
    const replyCost = costUsd(usage.inputTokens, usage.outputTokens, this.prices) * (batched ? BATCH_PRICE_FACTOR : 1);
    outcome.usage = {
      inputTokens: usage.inputTokens + billed.inputTokens,
      outputTokens: usage.outputTokens + billed.outputTokens,
      estimated: usage.estimated || outcome.billedRetries > 0,
    };
    outcome.costUsd = replyCost + billed.costUsd;
    const spentTokens = usage.inputTokens + usage.outputTokens;
    if (this.reservation && this.budget) this.budget.settle(this.reservation, { calls: 1, tokens: spentTokens, costUsd: replyCost });
    return { usage, spentTokens };
  }
}
