/**
 * Ψ's proposals are untrusted model output. Before one becomes a RawSuggestion it must name rules
 * that exist, leave locked rules alone, carry text where text is needed, and stay a behavioural
 * rule: text that adds headings, keys, front matter or restates who the agent is would change the
 * role or structure, which the optimizer never does. Every rejection has a reason for the record.
 */
import { cleanRuleText, normalizeRuleText, type AgentPrompt, type UnitEdit } from '../units';

export interface Proposal {
  op: 'ADD' | 'MODIFY' | 'DELETE';
  targetUnitId?: string | null;
  anchorUnitId?: string | null;
  newText?: string | null;
  rationale: string;
  evidenceStepIds: string[];
}

export type ProposalCheck = { ok: true; edit: UnitEdit; evidence: string[]; droppedEvidence: string[] } | { ok: false; reason: string };

/** A rule longer than this is a prompt rewrite in disguise. */
export const MAX_RULE_CHARS = 800;

const ROLE_STATEMENT = /^\s*(?:you are|you're|your role|your job is to act as|as (?:the|a|an) [\w -]{1,40}, you (?:are|act))\b/i;

export function isRoleStatement(text: string): boolean {
  return ROLE_STATEMENT.test(text);
}

/** Why `text` is not a single behavioural rule, or undefined when it is one. */
export function structureProblem(text: string): string | undefined {
  const lines = text.split('\n');
  if (lines.some((l) => /^\s{0,3}#{1,6}\s/.test(l))) return 'it contains a heading, which would change the prompt structure';
  if (lines.some((l) => /^\s*(?:---|\.\.\.)\s*$/.test(l))) return 'it contains a document separator (front matter), which would change the prompt structure';
  if (lines.some((l) => /^\s*[A-Za-z_][\w-]*\s*:\s*$/.test(l))) return 'it contains a bare key or role marker line, which would change the prompt structure';
  if (ROLE_STATEMENT.test(text)) return 'it restates who the agent is; roles are fixed and only behavioural rules may change';
  if (lines.slice(1).some((l) => /^\s*(?:[-*+]|\d{1,3}[.)])\s+\S/.test(l))) return 'it holds several rules in one; propose one rule per edit';
  if (text.length > MAX_RULE_CHARS) return `it is ${text.length} characters long, a rewrite rather than one rule (limit ${MAX_RULE_CHARS})`;
  return undefined;
}

export function checkProposal(p: Proposal, agent: AgentPrompt, knownSteps: ReadonlySet<string>): ProposalCheck {
  const units = new Map(agent.units.map((u) => [u.id, u]));
  const target = p.targetUnitId ?? undefined;
  const anchor = p.anchorUnitId ?? undefined;
  const text = p.newText == null ? '' : cleanRuleText(p.newText);
  const edit: UnitEdit = { op: p.op, agentId: agent.id };

  if (p.op === 'MODIFY' || p.op === 'DELETE') {
    if (!target) return { ok: false, reason: `${p.op} without a targetUnitId` };
    const unit = units.get(target);
    if (!unit) return { ok: false, reason: `${p.op} names rule id "${target}", which ${agent.id} does not have` };
    if (unit.protectedSpan) return { ok: false, reason: `${p.op} of rule ${target}, which is inside a <DONT_CHANGE> span` };
    if (unit.locked) return { ok: false, reason: `${p.op} of rule ${target}, which is locked (truce:lock)` };
    // The parser keeps a leading role paragraph as a unit; changing it would change the role.
    if (ROLE_STATEMENT.test(unit.text)) return { ok: false, reason: `${p.op} of ${target}, which describes the agent's role; roles are fixed` };
    edit.targetUnitId = target;
    edit.oldText = unit.text;
  } else {
    if (anchor) {
      if (!units.has(anchor)) return { ok: false, reason: `ADD after rule id "${anchor}", which ${agent.id} does not have` };
      // Following a rule inside a protected span would put the new rule inside the span too.
      if (units.get(anchor)?.protectedSpan) return { ok: false, reason: `ADD after rule ${anchor}, which is inside a <DONT_CHANGE> span: nothing may be added inside it` };
      edit.anchorUnitId = anchor;
    }
  }
  if (p.op !== 'DELETE') {
    if (!text) return { ok: false, reason: `${p.op} with empty text` };
    const problem = structureProblem(text);
    if (problem) return { ok: false, reason: `${p.op} text rejected: ${problem}` };
    const same = agent.units.find((u) => normalizeRuleText(u.text) === normalizeRuleText(text));
    if (same) return { ok: false, reason: p.op === 'ADD' ? `ADD of a rule ${agent.id} already has (${same.id})` : `MODIFY that leaves rule ${same.id} as it is` };
    edit.newText = text;
  }
  const evidence = [...new Set(p.evidenceStepIds.filter((id) => knownSteps.has(id)))];
  const droppedEvidence = p.evidenceStepIds.filter((id) => !knownSteps.has(id));
  return { ok: true, edit, evidence, droppedEvidence };
}
