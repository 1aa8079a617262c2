/**
 * The optimization history of a run: train/val score per round with the acceptance decision,
 * the spend per phase summed over rounds, and the suggestions (from suggestions.json, else from
 * the round records) with their support and reasons, paged.
 */
import type { HistoryPage, HistoryRound, HistorySuggestion, PhaseSpend } from '../panelProtocol';
import type { OptimizeRecord, SuggestionRecord } from './runExtrasSchema';

export function historyRounds(records: readonly OptimizeRecord[]): HistoryRound[] {
  return [...records]
    .sort((a, b) => a.round - b.round)
    .map((r) => ({
      round: r.round,
      phase: r.phase ?? null,
      train: r.train ?? null,
      val: r.val ?? null,
      accepted: r.accepted ?? r.decision?.accepted ?? null,
      reason: r.reason ?? r.decision?.reason ?? null,
    }));
}

export function spendByPhase(records: readonly OptimizeRecord[]): PhaseSpend[] {
  const totals = new Map<string, PhaseSpend>();
  const add = (phase: string, entry: { calls: number; tokens: number; costUsd: number }) => {
    const t = totals.get(phase) ?? { phase, calls: 0, tokens: 0, costUsd: 0 };
    t.calls += entry.calls;
    t.tokens += entry.tokens;
    t.costUsd += entry.costUsd;
    totals.set(phase, t);
  };
  for (const r of records) {
    if (!r.spend) continue;
    if (Array.isArray(r.spend)) for (const entry of r.spend) add(entry.phase, entry);
    else for (const [phase, entry] of Object.entries(r.spend)) add(phase, entry);
  }
  return [...totals.values()];
}

function toView(s: SuggestionRecord, round: number | null): HistorySuggestion {
  return {
    id: s.id,
    status: s.status,
    op: s.edit?.op ?? s.op ?? 'EDIT',
    agentId: s.edit?.agentId ?? s.agentId ?? '',
    unitId: s.edit?.targetUnitId ?? null,
    support: s.support,
    reason: s.reason ?? null,
    rationale: s.rationale,
    round: s.round ?? round,
  };
}

/** suggestions.json is the run's final word; without it the rounds' own lists stand in. */
export function historySuggestions(records: readonly OptimizeRecord[], file: readonly SuggestionRecord[] | undefined): HistorySuggestion[] {
  if (file) return file.map((s) => toView(s, null));
  const seen = new Map<string, HistorySuggestion>();
  for (const r of [...records].sort((a, b) => a.round - b.round)) {
    for (const s of r.suggestions ?? []) seen.set(s.id, toView(s, r.round));
  }
  return [...seen.values()];
}

export function pageHistory(
  runId: string,
  records: readonly OptimizeRecord[],
  file: readonly SuggestionRecord[] | undefined,
  suggestions: readonly HistorySuggestion[],
  offset: number,
  limit: number,
): HistoryPage {
  return {
    runId,
    available: records.length > 0 || file !== undefined,
    rounds: historyRounds(records),
    spend: spendByPhase(records),
    offset,
    totalSuggestions: suggestions.length,
    suggestions: suggestions.slice(offset, offset + limit),
  };
}
