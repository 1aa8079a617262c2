/**
 * The round's report and commit point: every pooled suggestion gets its final status (accepted,
 * or the reason it did not make it), suggestions.json and prompts.json are written, and then the
 * round record is appended to optimize.jsonl. A resume continues after the last record, so
 * everything written before it is redone if the record never came (resumePoint.ts).
 */
import type { Suggestion } from '../../credit/types';
import { mean } from '../meanScore';
import { writeSuggestions } from '../optimizeStore';
import type { RoundRecord } from '../optimizeTypes';
import { diffUsage } from '../phaseUsage';
import type { Decided } from './roundState';
import type { OptimizeRun } from './runState';

/** Final statuses: applied-and-accepted, or the reason it did not make it. */
function finalStatuses(round: Decided): Array<Suggestion & { round: number }> {
  const { k, applied, pooled, accepted, pruned, decision } = round;
  const byId = new Map(applied.results.map((r) => [r.suggestionId, r]));
  return pooled.ranked.map((s): Suggestion & { round: number } => {
    const r = byId.get(s.id);
    if (s.status === 'rejected') return { ...s, round: k };
    if (!r) return { ...s, round: k, status: 'rejected', reason: 'Not applied.' };
    if (r.status === 'stale') return { ...s, round: k, status: 'stale', reason: r.reason ?? 'stale' };
    if (r.status === 'rejected') return { ...s, round: k, status: 'rejected', reason: r.reason ?? 'could not be applied' };
    const edit = r.edit ?? s.edit;
    if (accepted && pruned.has(s.id)) return { ...s, edit, round: k, status: 'rejected', reason: pruned.get(s.id) as string };
    if (accepted) return { ...s, edit, round: k, status: 'accepted', reason: decision?.reason ?? '' };
    return { ...s, edit, round: k, status: 'rejected', reason: `The candidate with this edit was not accepted: ${decision?.reason ?? 'not validated'}` };
  });
}

export async function recordRound(run: OptimizeRun, round: Decided): Promise<RoundRecord> {
  const { setHash, emit } = run.settings;
  const { k, batch, roll, notes, pooled, applied, candidateHash, valRunIds, decision, accepted, previousBest, pruning, report } = round;
  const finals = finalStatuses(round);
  run.suggestions = [...run.suggestions, ...finals];
  await writeSuggestions(run.dir, run.suggestions);
  await run.files.savePrompts(run.best);

  const bestHash = await setHash(run.best);
  const bestVal = run.val.known(bestHash) ?? new Map<string, number>();
  const bestChangedNow = bestHash !== (await setHash(previousBest));
  const methodState = report.details?.state;
  const record: RoundRecord = {
    round: k,
    batch: batch.map((t) => t.id),
    rolloutRunId: roll.runId,
    trainScore: mean(roll.scores) ?? 0,
    notes,
    suggestions: { retained: pooled.retained.map((s) => s.id), rejected: finals.filter((s) => s.status !== 'accepted').map((s) => ({ id: s.id, reason: s.reason ?? s.status })) },
    applied: applied.results,
    ...(candidateHash ? { candidateHash } : {}),
    valRunIds,
    ...(decision ? { decision } : {}),
    accepted,
    bestHash,
    ...(bestChangedNow ? { bestTexts: { ...run.best } } : {}),
    ...(methodState !== undefined ? { methodState } : {}),
    creditLines: run.creditLines,
    ...(pruning.length ? { pruning } : {}),
    ...(round.checks.length ? { interventions: round.checks } : {}),
    bestVal: Object.fromEntries(bestVal),
    valScores: run.val.all(),
    usage: diffUsage(run.usageNow(), round.usageBefore),
  };
  await run.files.rounds.append(record);
  run.records.push(record);
  emit({ type: 'round', record });
  return record;
}
