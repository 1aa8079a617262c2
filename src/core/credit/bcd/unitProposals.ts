/**
 * Turns an optimizer's rule-edit proposals into RawSuggestions with the same checks TRUCE's Ψ
 * applies (credit/validateProposal.ts): the agent must be optimisable, ids must be rules of
 * that agent, locked rules stay untouched, text must be one behavioural rule. A proposal that fails
 * is dropped with a note, never repaired by guessing. Shared by the BCD and GBC methods.
 */
import { unitsOf as configuredUnits } from '../agentUnits';
import type { MethodContext, MethodName, RawSuggestion } from '../types';
import type { PolicyUnit } from '../../units';
import { checkProposal } from '../validateProposal';

export interface EditProposal {
  op: 'ADD' | 'MODIFY' | 'DELETE';
  targetUnitId?: string;
  anchorUnitId?: string;
  newText?: string;
  rationale: string;
}

export interface ProposalOrigin {
  method: MethodName;
  taskId: string;
  agentId: string;
  /** Step ids behind the proposal. */
  stepIds: string[];
  /** The credit (in [-1, 1]) that made the agent a target. */
  credit: number;
}

/** The rules of one configured agent, as the optimizer is shown them (empty when it has none). */
export function unitsOf(context: Pick<MethodContext, 'agents' | 'config'>, agentId: string): PolicyUnit[] {
  return configuredUnits(context.agents, context.config, agentId)?.prompt.units ?? [];
}

export function proposalsToSuggestions(context: MethodContext, origin: ProposalOrigin, proposals: readonly EditProposal[]): RawSuggestion[] {
  const where = `${origin.method} task ${origin.taskId}, agent ${origin.agentId}`;
  const found = configuredUnits(context.agents, context.config, origin.agentId);
  if (!found) {
    if (proposals.length) context.note(`${where}: the agent is not optimisable; ${proposals.length} proposal(s) dropped.`);
    return [];
  }
  const known = new Set(origin.stepIds);
  const out: RawSuggestion[] = [];
  proposals.forEach((p, i) => {
    const check = checkProposal({ ...p, evidenceStepIds: origin.stepIds }, found.prompt, known);
    if (!check.ok) {
      context.note(`${where}: proposal ${i + 1} (${p.op}) dropped: ${check.reason}.`);
      return;
    }
    out.push({
      edit: check.edit,
      file: found.agent.file,
      rationale: p.rationale.trim(),
      evidence: [{ taskId: origin.taskId, stepIds: check.evidence }],
      credit: origin.credit,
      method: origin.method,
      taskId: origin.taskId,
    });
  });
  return out;
}
