/**
 * The no-units ablation (TRUCE §6.4, "w/o UnitRefine"): Ψ rewrites an agent's whole rule list as
 * one block, without seeing unit ids. The product still only changes files through unit edits (so
 * every change is verified, reversible and recorded), so the rewrite is expressed as the edits
 * that turn the old list into the new one:
 *
 *  1. a new rule equal (normalised) to an old one keeps that old rule untouched;
 *  2. the remaining old rules (locked ones and a role paragraph excluded — they always stay) and the remaining new rules
 *     are paired in order: the i-th leftover old rule is MODIFIED into the i-th leftover new rule;
 *  3. extra new rules are ADDED after the preceding rule of the new list that exists (else at the
 *     end); extra old rules are DELETED.
 *
 * This is the positional "modify-all" reading of a global rewrite: the agent ends with exactly the
 * new list (plus locked rules), and nothing outside its rules changes.
 */
import { cleanRuleText, normalizeRuleText, type AgentPrompt } from '../../units';
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
  for (const extra of fresh.slice(pairs)) {
    // The nearest earlier rule of the new list that survives as an old unit anchors the addition.
    let anchor: string | undefined;
    for (let p = extra.position - 1; p >= 0 && !anchor; p--) anchor = oldByText.get(normalizeRuleText(rules[p]));
    out.push({ op: 'ADD', ...(anchor ? { anchorUnitId: anchor } : {}), newText: extra.text, rationale, evidenceStepIds });
  }
  for (const gone of leftovers.slice(pairs)) out.push({ op: 'DELETE', targetUnitId: gone.id, rationale, evidenceStepIds });
  return out;
}
