/**
 * Stable unit ids: the same rule in the same place of the same agent keeps its id across parses,
 * whatever moves around it. The id hashes the agent, the section path and the rule's normalised
 * text; two identical rules in one section are told apart by their order.
 */
import { createHash } from 'node:crypto';

/** Differences that do not change what a rule says: case, emphasis, spacing. */
export function normalizeRuleText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[*_`]+/g, '').replace(/\s+/g, ' ').trim();
}

export function baseUnitId(agentId: string, sectionPath: string[], text: string): string {
  const h = createHash('sha1').update(agentId).update('\u0000').update(sectionPath.join('\u001f')).update('\u0000').update(normalizeRuleText(text)).digest('hex');
  return `${slug(agentId)}.${h.slice(0, 10)}`;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 32) || 'agent';
}

/** Assigns ids in document order; repeats of the same base id get `~2`, `~3`. */
export function assignIds<T extends { agentId: string; sectionPath: string[]; text: string }>(units: T[]): (T & { id: string })[] {
  const seen = new Map<string, number>();
  return units.map((u) => {
    const base = baseUnitId(u.agentId, u.sectionPath, u.text);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { ...u, id: n === 1 ? base : `${base}~${n}` };
  });
}
