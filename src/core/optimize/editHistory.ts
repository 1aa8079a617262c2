import type { EditHistoryEntry, Suggestion } from '../credit/types';
import type { RoundRecord } from './optimizeTypes';

/**
 * What the earlier rounds did with their edits, for the methods' suggestion prompts: every
 * suggestion that was tried (applied and validated, pruned, or rejected by validation) with its
 * status and reason; an accepted edit carries its round's validation verdict.
 */
export function editHistory(suggestions: ReadonlyArray<Suggestion & { round: number }>, records: readonly RoundRecord[]): EditHistoryEntry[] {
  const verdict = new Map(records.map((r) => [r.round, r.decision?.reason]));
  return suggestions
    // Only edits validation had a say on: pooling rejections (support, top-k) never reached it.
    .filter((s) => s.status === 'accepted' || (s.status === 'rejected' && /^(The candidate with this edit was not accepted|Pruned after acceptance)/.test(s.reason ?? '')))
    .map((s) => {
      const reason = s.status === 'accepted' ? verdict.get(s.round) : s.reason;
      return {
        round: s.round,
        agentId: s.edit.agentId,
        op: s.edit.op,
        ...(s.edit.oldText !== undefined ? { oldText: s.edit.oldText } : {}),
        ...(s.edit.newText !== undefined ? { newText: s.edit.newText } : {}),
        status: s.status,
        ...(reason !== undefined ? { reason } : {}),
      };
    });
}
