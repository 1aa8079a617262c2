/**
 * Usage totals per phase, agent and role, folded from call-log records. Because it only reads
 * records, the same totals can be rebuilt from a run's `llm-calls.jsonl`.
 */
import type { LlmCallRecord } from './callLog';
import type { EndpointRole } from './types';

export interface UsageTotals {
  /**
   * Calls sent to an endpoint (successful or not), each counted once however many attempts —
   * plus every failed attempt the provider billed anyway (a reply produced but unreadable), so
   * that `calls` never falls below what the provider charges for.
   */
  calls: number;
  failedCalls: number;
  /** HTTP attempts across those calls (retries included). */
  attempts: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Answered from the response cache: no network, no cost. */
  cachedCalls: number;
  cachedInputTokens: number;
  cachedOutputTokens: number;
  /** Never sent: refused by a budget cap, missing from a replay, or cancelled while queued. */
  unsentCalls: number;
}

export interface AccountingSnapshot {
  total: UsageTotals;
  byPhase: Record<string, UsageTotals>;
  byAgent: Record<string, UsageTotals>;
  byRole: Partial<Record<EndpointRole, UsageTotals>>;
}

export function emptyTotals(): UsageTotals {
  return {
    calls: 0,
    failedCalls: 0,
    attempts: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    cachedCalls: 0,
    cachedInputTokens: 0,
    cachedOutputTokens: 0,
    unsentCalls: 0,
  };
}

/** Pure: the totals after one more record. */
export function addRecord(totals: UsageTotals, record: LlmCallRecord): UsageTotals {
  const next = { ...totals };
  if (record.cached) {
    next.cachedCalls++;
    next.cachedInputTokens += record.usage.inputTokens;
    next.cachedOutputTokens += record.usage.outputTokens;
    return next;
  }
  if (record.attempts === 0) {
    next.unsentCalls++;
    return next;
  }
  next.calls += 1 + (record.billedRetries ?? 0);
  if (record.error) next.failedCalls++;
  next.attempts += record.attempts;
  next.inputTokens += record.usage.inputTokens;
  next.outputTokens += record.usage.outputTokens;
  next.costUsd += record.costUsd;
  return next;
}

export class Accounting {
  private total = emptyTotals();
  private readonly byPhase = new Map<string, UsageTotals>();
  private readonly byAgent = new Map<string, UsageTotals>();
  private readonly byRole = new Map<EndpointRole, UsageTotals>();

  record(record: LlmCallRecord): void {
    this.total = addRecord(this.total, record);
    this.byPhase.set(record.phase, addRecord(this.byPhase.get(record.phase) ?? emptyTotals(), record));
    if (record.agent !== undefined) {
      this.byAgent.set(record.agent, addRecord(this.byAgent.get(record.agent) ?? emptyTotals(), record));
    }
    this.byRole.set(record.role, addRecord(this.byRole.get(record.role) ?? emptyTotals(), record));
  }

  snapshot(): AccountingSnapshot {
    return {
      total: { ...this.total },
      byPhase: Object.fromEntries([...this.byPhase].map(([k, v]) => [k, { ...v }])),
      byAgent: Object.fromEntries([...this.byAgent].map(([k, v]) => [k, { ...v }])),
      byRole: Object.fromEntries([...this.byRole].map(([k, v]) => [k, { ...v }])),
    };
  }
}
