/**
 * Stable unit ids: the same rule in the same place of the same agent keeps its id across parses,
 * whatever moves around it. The id hashes the agent, the section path and the rule's normalised
 * text; two identical rules in one section are told apart by their order.
 */

/**
 * Differences that do not change what a rule says: case, emphasis, spacing. (Unicode
 * normalisation is left out on purpose: it doubled the cost of ids on non-Latin prompts, and
 * editors do not change a rule's normal form behind the user's back.)
 */
export function normalizeRuleText(text: string): string {
  let out = text.toLowerCase();
  // Most rules have neither emphasis nor runs of whitespace: test before rewriting.
  if (/[*_`]/.test(out)) out = out.replace(/[*_`]+/g, '');
  if (/\s\s|[^\S ]/.test(out)) out = out.replace(/\s+/g, ' ');
  return out.trim();
}

/**
 * Two independent 32-bit FNV-1a passes give 64 bits, of which the id keeps 40: identity, not
 * security, is the point, and a cryptographic hash per unit was the parser's largest cost.
 */
function hash40(parts: string[]): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let p = 0; p < parts.length; p++) {
    const text = parts[p];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
    }
    // A separator between parts, so ["ab", "c"] and ["a", "bc"] differ.
    a = Math.imul(a ^ 0x1f, 0x01000193);
    b = Math.imul(b ^ 0x1f, 0x01000193) ^ (b >>> 15);
  }
  return ((a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0')).slice(0, 10);
}

export function baseUnitId(agentId: string, sectionPath: string[], text: string): string {
  return `${slug(agentId)}.${hash40([agentId, '\u0000', ...sectionPath, '\u0000', normalizeRuleText(text)])}`;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').slice(0, 32) || 'agent';
}

/** Gives each unit its id, in document order; repeats of the same base id get `~2`, `~3`. */
export function assignIds<T extends { agentId: string; sectionPath: string[]; text: string }>(units: T[]): (T & { id: string })[] {
  const seen = new Map<string, number>();
  for (const u of units) {
    const base = baseUnitId(u.agentId, u.sectionPath, u.text);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    (u as T & { id: string }).id = n === 1 ? base : `${base}~${n}`;
  }
  return units as (T & { id: string })[];
}
