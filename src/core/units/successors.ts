/**
 * Old ids of blocks that are now read as several sentence units. Before sentence units (issue 20)
 * a paragraph or list item holding several instructions was one unit; runs, suggestions, credit
 * and the editor's memory stored its id. That id now names no unit, but each sentence unit of the
 * block carries it as `formerId`, so the old id maps to its successors instead of silently
 * resolving to nothing.
 */
import type { PolicyUnit, PromptDocument } from './types';

/** The rule units that replaced the unit `id` named, in file order; empty when `id` is not a former id. */
export function successorsOf(doc: PromptDocument, id: string, agentId?: string): PolicyUnit[] {
  const out: PolicyUnit[] = [];
  for (const agent of doc.agents) {
    if (agentId !== undefined && agent.id !== agentId) continue;
    for (const u of agent.units) if (u.formerId === id) out.push(u);
  }
  return out;
}
