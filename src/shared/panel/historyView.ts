/**
 * The optimization history of a run: train/val score per round with the acceptance decision,
 * the spend per phase summed over rounds, and the suggestions (from suggestions.json, else from
 * the round records' retained/rejected ids) with their support and reasons, paged.
 */
import type { HistoryPage, HistoryRound, HistorySuggestion, PhaseSpend } from '../panelProtocol';
import type { OptimizeRecord, SuggestionRecord } from './runExtrasSchema';

function meanOf(scores: Record<string, number> | undefined): number | null {
  const values = Object.values(scores ?? {});
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/** Without a decision (no candidate was validated) the round's own note says why nothing changed. */
function roundNote(r: OptimizeRecord): string | null {
  const note = [...(r.notes ?? [])].reverse().find((n) => n.startsWith(`round ${r.round}:`));
  return note ? note.slice(`round ${r.round}:`.length).trim() : null;
}

export function historyRounds(records: readonly OptimizeRecord[]): HistoryRound[] {
  return [...records]
    .sort((a, b) => a.round - b.round)
    .map((r) => ({
      round: r.round,
      phase: r.phase ?? null,
      train: r.trainScore ?? r.train ?? null,
      val: meanOf(r.bestVal) ?? r.val ?? null,
      candidate: meanOf(r.candidateVal) ?? r.decision?.candidateMean ?? null,
      accepted: r.accepted ?? r.decision?.accepted ?? null,
      // The gate's reason, then what pruning kept or dropped and why.
      reason: [r.decision?.reason ?? r.reason ?? roundNote(r), ...(r.pruning ?? []).map((p) => p.reason)].filter((x): x is string => !!x).join(' ') || null,
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
    const spend = r.usage ?? r.spend;
    if (!spend) continue;
    if (Array.isArray(spend)) for (const entry of spend) add(entry.phase, entry);
    else for (const [phase, entry] of Object.entries(spend)) add(phase, entry);
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
    const listed = r.suggestions;
    if (!listed) continue;
    if (Array.isArray(listed)) {
      for (const s of listed) seen.set(s.id, toView(s, r.round));
      continue;
    }
    // Ids only: a retained suggestion that is not also rejected went into the accepted candidate.
    const rejected = new Map(listed.rejected.map((s) => [s.id, s.reason]));
    for (const id of new Set([...listed.retained, ...rejected.keys()])) {
      const reason = rejected.get(id);
      seen.set(id, { id, status: reason === undefined ? 'accepted' : 'rejected', op: 'EDIT', agentId: '', unitId: null, support: 0, reason: reason || null, rationale: '', round: r.round });
    }
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
