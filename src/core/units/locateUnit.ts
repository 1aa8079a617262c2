/**
 * Re-anchoring: where is a unit we knew (from a run, a suggestion, a CodeLens) in the document as
 * it is now? Exact text first, then similar text near the old position. Credit and suggestions
 * follow a unit through unrelated edits this way, and a suggestion whose target changed is
 * recognised as stale instead of being applied to the wrong text.
 */
import { textSimilarity } from './similarity';
import { successorsOf } from './successors';
import type { PolicyUnit, PromptDocument, Range } from './types';
import { normalizeRuleText } from './unitId';

export interface UnitRef {
  id: string;
  agentId: string;
  text: string;
  sectionPath?: string[];
  range?: Range;
}

export type UnitLocation =
  /** Same id, same text, same place. */
  | { status: 'unchanged'; unit: PolicyUnit; similarity: 1 }
  /** Same text, elsewhere (moved, or its section renamed). */
  | { status: 'moved'; unit: PolicyUnit; similarity: 1 }
  /** Its text was edited: `unit` is the best match, `similarity` how close it is. */
  | { status: 'changed'; unit: PolicyUnit; similarity: number }
  /**
   * Its id names a block that is now read as several sentence units (a paragraph of three
   * instructions stored as one unit before issue 20): `successors` are those units in file order,
   * `unit` the first. Whatever was meant for the whole block does not fit any one of them as is.
   */
  | { status: 'split'; unit: PolicyUnit; successors: PolicyUnit[]; similarity: number }
  /** Its text (or block) is still there but is now read as role or context, not a rule (issue 20). */
  | { status: 'set-aside'; unit: PolicyUnit; similarity: 1 }
  | { status: 'gone'; unit?: undefined; similarity: 0 };

/** Below this a "similar" unit is more likely a different rule than an edited one. */
export const CHANGED_THRESHOLD = 0.5;

export function locateUnit(doc: PromptDocument, ref: UnitRef): UnitLocation {
  const agent = doc.agents.find((a) => a.id === ref.agentId);
  const units = agent?.units ?? [];
  const norm = normalizeRuleText(ref.text);
  const byId = units.find((u) => u.id === ref.id);
  if (byId && normalizeRuleText(byId.text) === norm) {
    const same = !ref.range || byId.range.start.offset === ref.range.start.offset;
    return { status: same ? 'unchanged' : 'moved', unit: byId, similarity: 1 };
  }
  const sameText = units.filter((u) => normalizeRuleText(u.text) === norm);
  if (sameText.length > 0) return { status: 'moved', unit: nearest(sameText, ref), similarity: 1 };
  if (!byId) {
    const successors = successorsOf(doc, ref.id, ref.agentId);
    if (successors.length > 0) return { status: 'split', unit: successors[0], successors, similarity: textSimilarity(ref.text, successors.map((u) => u.text).join(' ')) };
    const aside = (agent?.context ?? []).find((u) => u.id === ref.id || u.formerId === ref.id || normalizeRuleText(u.text) === norm);
    if (aside) return { status: 'set-aside', unit: aside, similarity: 1 };
  }

  let best: PolicyUnit | undefined;
  let bestScore = 0;
  let bestSim = 0;
  const lastLine = Math.max(1, ...units.map((u) => u.range.start.line));
  for (const u of units) {
    const sim = textSimilarity(ref.text, u.text);
    if (sim < CHANGED_THRESHOLD) continue;
    // Position breaks ties between similar rules: the edited rule is usually where it was.
    const distance = ref.range ? Math.abs(u.range.start.line - ref.range.start.line) / lastLine : 0.5;
    const sameSection = ref.sectionPath && u.sectionPath.join('/') === ref.sectionPath.join('/') ? 0.05 : 0;
    const score = sim * 0.85 + (1 - distance) * 0.1 + sameSection;
    if (score > bestScore) {
      best = u;
      bestScore = score;
      bestSim = sim;
    }
  }
  return best ? { status: 'changed', unit: best, similarity: bestSim } : { status: 'gone', similarity: 0 };
}

function nearest(units: PolicyUnit[], ref: UnitRef): PolicyUnit {
  if (!ref.range) return units[0];
  const line = ref.range.start.line;
  return units.reduce((a, b) => (Math.abs(b.range.start.line - line) < Math.abs(a.range.start.line - line) ? b : a));
}
