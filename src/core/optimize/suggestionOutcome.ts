/**
 * A suggestion of an optimize run as its summary and its report show it: what it edits and how it
 * ended, without the evidence and credit it was built from.
 */
import type { Suggestion } from '../credit/types';
import type { SuggestionOutcome } from './optimizeTypes';

export function suggestionOutcome(s: Suggestion & { round: number }): SuggestionOutcome {
  return {
    id: s.id,
    round: s.round,
    op: s.edit.op,
    agentId: s.edit.agentId,
    file: s.file,
    ...(s.edit.newText !== undefined ? { newText: s.edit.newText } : {}),
    support: s.support,
    status: s.status,
    ...(s.reason !== undefined ? { reason: s.reason } : {}),
    ...(s.group !== undefined ? { group: s.group } : {}),
  };
}
