/**
 * Retained suggestions → a candidate prompt set, in memory (file texts by workspace path).
 *
 * Each suggestion is re-anchored in the candidate as it stands (earlier edits of the same round
 * included): its target must still be there with the text it was proposed against (locateUnit
 * 'unchanged' or 'moved'); a target that was edited or removed makes the suggestion 'stale', with
 * the reason, and it is never applied — a MODIFY meant for one wording must not land on another.
 * The edit itself is planUnitEdit's, which touches only the unit's bytes and verifies by re-parse.
 * An ADD or MODIFY without text gets it from one rewrite call when a rewriter is given.
 * Edits that share a `group` (one agent's global rewrite, the no-units ablation) are applied
 * together, all or none.
 */
import type { AgentConfig, TruceConfig } from '../config';
import { locateUnit, normalizeRuleText, planUnitEdit, successorsOf, type AgentPrompt, type UnitEdit } from '../units';
import { agentPromptIn, parseAgentFile, type PromptTexts } from '../credit/agentUnits';
import { candidateItems } from './candidateItems';
import type { Suggestion } from '../credit/types';

export type ApplyStatus = 'applied' | 'stale' | 'rejected';

export interface ApplyResult {
  suggestionId: string;
  status: ApplyStatus;
  reason?: string;
  /** The unit's id after the edit (ADD, MODIFY). */
  unitId?: string;
  /** The edit as applied (target re-anchored, text filled in). */
  edit?: UnitEdit;
}

/** Writes the missing text of an ADD/MODIFY; undefined when it cannot. */
export type Rewriter = (suggestion: Suggestion, agent: AgentPrompt) => Promise<string | undefined>;

export interface AppliedCandidate {
  texts: Record<string, string>;
  results: ApplyResult[];
}

/** The config agent that a suggestion's file and document agent id belong to. */
export function agentConfigFor(config: Pick<TruceConfig, 'agents'>, file: string, docAgentId: string): AgentConfig | undefined {
  const inFile = config.agents.filter((a) => a.prompt === file);
  return inFile.find((a) => (a.section ?? a.id) === docAgentId) ?? (inFile.length === 1 ? inFile[0] : undefined);
}

export async function applySuggestions(
  config: Pick<TruceConfig, 'agents'>,
  base: PromptTexts,
  suggestions: readonly Suggestion[],
  rewrite?: Rewriter,
): Promise<AppliedCandidate> {
  const texts: Record<string, string> = { ...base };
  const results: ApplyResult[] = [];
  // Ids replaced by edits earlier in this candidate, so later ADDs anchored on them still find their place.
  const renamed = new Map<string, string>();
  for (const { members: item } of candidateItems(suggestions)) {
    if (item.length === 1 && item[0].group === undefined) {
      results.push(await applyOne(config, texts, item[0], renamed, rewrite));
      continue;
    }
    // A group (one agent's global rewrite) applies whole or not at all: a partly applied rewrite
    // would be a prompt nobody proposed.
    const savedTexts = { ...texts };
    const savedRenamed = new Map(renamed);
    const parts: ApplyResult[] = [];
    for (const s of item) parts.push(await applyOne(config, texts, s, renamed, rewrite));
    const failed = parts.find((r) => r.status !== 'applied');
    if (!failed) {
      results.push(...parts);
      continue;
    }
    for (const k of Object.keys(texts)) texts[k] = savedTexts[k];
    renamed.clear();
    for (const [k, v] of savedRenamed) renamed.set(k, v);
    const why = `it is part of the rewrite ${item[0].group}, which applies whole or not at all, and another of its edits (${failed.suggestionId}) is ${failed.status}: ${failed.reason ?? 'not applicable'}`;
    results.push(...parts.map((r): ApplyResult => (r.status === 'applied' ? { suggestionId: r.suggestionId, status: failed.status, reason: `Not applied: ${why}.` } : r)));
  }
  return { texts, results };
}

async function applyOne(
  config: Pick<TruceConfig, 'agents'>,
  texts: Record<string, string>,
  s: Suggestion,
  renamed: Map<string, string>,
  rewrite?: Rewriter,
): Promise<ApplyResult> {
  const base = { suggestionId: s.id };
  const text = texts[s.file];
  if (text === undefined) return { ...base, status: 'stale', reason: `The prompt file ${s.file} is not part of the prompt set any more.` };
  const agentConfig = agentConfigFor(config, s.file, s.edit.agentId);
  if (!agentConfig) return { ...base, status: 'stale', reason: `No agent of truce.yaml is "${s.edit.agentId}" in ${s.file}.` };
  const doc = parseAgentFile(agentConfig, text);
  const agent = agentPromptIn(doc, agentConfig);
  if (!agent) return { ...base, status: 'stale', reason: `${s.file} no longer defines agent "${s.edit.agentId}".` };
  const edit: UnitEdit = { ...s.edit, agentId: agent.id };

  if (edit.op !== 'ADD') {
    if (!edit.targetUnitId || edit.oldText === undefined) return { ...base, status: 'rejected', reason: `A ${edit.op} needs the target rule's id and its text at the time it was proposed.` };
    const loc = locateUnit(doc, { id: edit.targetUnitId, agentId: agent.id, text: edit.oldText });
    if (loc.status === 'gone') return { ...base, status: 'stale', reason: `The rule it targets ("${short(edit.oldText)}") is no longer in ${s.file}.` };
    if (loc.status === 'set-aside') {
      return { ...base, status: 'stale', reason: `The text it targets ("${short(edit.oldText)}", line ${loc.unit.range.start.line + 1}) is now read as ${loc.unit.kind === 'role' ? 'the role statement' : 'description (context)'}, not as a rule TRUCE edits.` };
    }
    if (loc.status === 'split') {
      // A run made before sentence units proposed this for a whole block; changing one of its
      // sentences, or all of them, would not be the edit that was proposed.
      return { ...base, status: 'stale', reason: `The rule it targets ("${short(edit.oldText)}") is now read as ${loc.successors.length} rule${loc.successors.length === 1 ? '' : 's'} (line ${loc.unit.range.start.line + 1}); the suggestion was made for the whole block, so it is not applied. A new run suggests edits of the single rules.` };
    }
    if (loc.status === 'changed') {
      return { ...base, status: 'stale', reason: `The rule it targets was edited since the suggestion was made; it now reads "${short(loc.unit.text)}" (line ${loc.unit.range.start.line + 1}).` };
    }
    edit.targetUnitId = loc.unit.id;
  } else if (edit.anchorUnitId) {
    // An anchor read as several rules now: the new rule still goes after the block, i.e. after its last rule.
    const anchor = renamed.get(edit.anchorUnitId) ?? (agent.units.some((u) => u.id === edit.anchorUnitId) ? edit.anchorUnitId : successorsOf(doc, edit.anchorUnitId, agent.id).at(-1)?.id ?? edit.anchorUnitId);
    if (!agent.units.some((u) => u.id === anchor)) return { ...base, status: 'stale', reason: `The rule the new one was to follow (${edit.anchorUnitId}) is no longer in ${s.file}.` };
    edit.anchorUnitId = anchor;
  }

  if (edit.op !== 'DELETE' && !(edit.newText ?? '').trim()) {
    const written = rewrite ? await rewrite(s, agent) : undefined;
    if (!written?.trim()) return { ...base, status: 'rejected', reason: `The ${edit.op} has no rule text${rewrite ? ' and the rewrite call gave none' : ''}.` };
    edit.newText = written;
  }
  if (edit.op === 'ADD' && agent.units.some((u) => normalizeRuleText(u.text) === normalizeRuleText(edit.newText ?? ''))) {
    return { ...base, status: 'rejected', reason: `${agent.id} already has this rule.` };
  }

  const planned = planUnitEdit(text, doc, edit, { uri: doc.uri, ...(agentConfig.section === undefined ? { defaultAgentId: agentConfig.id } : {}) });
  if (!planned.ok) return { ...base, status: planned.code === 'stale' || planned.code === 'not-found' ? 'stale' : 'rejected', reason: planned.reason };
  texts[s.file] = planned.text;
  if (edit.op === 'MODIFY' && edit.targetUnitId && planned.unitId) renamed.set(edit.targetUnitId, planned.unitId);
  return { ...base, status: 'applied', ...(planned.unitId ? { unitId: planned.unitId } : {}), edit };
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 80 ? `${one.slice(0, 79)}…` : one;
}
