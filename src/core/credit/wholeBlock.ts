/**
 * The no-units ablation (TRUCE §6.4, "w/o UnitRefine"): a global rewrite step
 * (optimize/globalRewrite.ts) returns an agent's whole new rule list, written without unit ids.
 * The product still only changes files through unit edits (so every change is verified,
 * reversible and recorded), so the rewrite is expressed as the edits that turn the old list into
 * the new one — and the loop keeps those edits together as one indivisible item:
 *
 *  1. a new rule equal (normalised) to an old one keeps that old rule untouched;
 *  2. the remaining old rules (locked ones and a role paragraph excluded — they always stay) and the remaining new rules
 *     are paired in order: the i-th leftover old rule is MODIFIED into the i-th leftover new rule;
 *  3. extra new rules are ADDED after the nearest preceding rule of the new list that has a unit
 *     (a kept one, or one a MODIFY put in an old unit's place; applySuggestions follows the id a
 *     MODIFY gives its unit), else at the end; extra old rules are DELETED. ADDs after the same
 *     rule are listed last-first, so that inserting each right after it leaves them in order.
 *
 * This is the positional "modify-all" reading of a global rewrite: the agent ends with exactly the
 * new list (plus locked rules), and nothing outside its rules changes.
 */
import { cleanRuleText, normalizeRuleText, type AgentPrompt } from '../units';
import { isRoleStatement, type Proposal } from './validateProposal';

export function rewriteAsProposals(agent: AgentPrompt, newRules: readonly string[], rationale: string, evidenceStepIds: string[]): Proposal[] {
  const rules = newRules.map(cleanRuleText).filter(Boolean);
  const oldByText = new Map<string, string>();
  for (const u of agent.units) if (!oldByText.has(normalizeRuleText(u.text))) oldByText.set(normalizeRuleText(u.text), u.id);
  const kept = new Set<string>();
  const fresh: Array<{ text: string; position: number }> = [];
  rules.forEach((text, position) => {
    const id = oldByText.get(normalizeRuleText(text));
    if (id && !kept.has(id)) kept.add(id);
    else fresh.push({ text, position });
  });
  const leftovers = agent.units.filter((u) => !kept.has(u.id) && !u.locked && !isRoleStatement(u.text));
  const out: Proposal[] = [];
  const pairs = Math.min(leftovers.length, fresh.length);
  for (let i = 0; i < pairs; i++) {
    out.push({ op: 'MODIFY', targetUnitId: leftovers[i].id, newText: fresh[i].text, rationale, evidenceStepIds });
  }
  // Which unit each position of the new list lives in: a kept old unit, or the unit a MODIFY rewrites.
  const unitAt = new Map<number, string>();
  rules.forEach((text, position) => {
    const id = oldByText.get(normalizeRuleText(text));
    if (id && kept.has(id) && ![...unitAt.values()].includes(id)) unitAt.set(position, id);
  });
  for (let i = 0; i < pairs; i++) unitAt.set(fresh[i].position, leftovers[i].id);
  // A rule inside a <DONT_CHANGE> span cannot be followed (the new rule would land in the span).
  for (const u of agent.units) if (u.protectedSpan) for (const [p, id] of unitAt) if (id === u.id) unitAt.delete(p);
  const anchored: Proposal[] = [];
  const atEnd: Proposal[] = [];
  for (const extra of fresh.slice(pairs)) {
    let anchor: string | undefined;
    for (let p = extra.position - 1; p >= 0 && !anchor; p--) anchor = unitAt.get(p);
    if (anchor) anchored.unshift({ op: 'ADD', anchorUnitId: anchor, newText: extra.text, rationale, evidenceStepIds });
    else atEnd.push({ op: 'ADD', newText: extra.text, rationale, evidenceStepIds });
  }
  out.push(...anchored, ...atEnd);
  for (const gone of leftovers.slice(pairs)) out.push({ op: 'DELETE', targetUnitId: gone.id, rationale, evidenceStepIds });
  return out;
}
