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
  // Most rules have neither emphasis nor runs of whitespace: look before rewriting (by character
  // code: the same tests as regular expressions were a visible cost per unit).
  if (hasEmphasisMark(out)) out = out.replace(/[*_`]+/g, '');
  if (hasOddWhitespace(out)) out = out.replace(/\s+/g, ' ');
  return out.trim();
}

function hasEmphasisMark(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 42 /* * */ || c === 95 /* _ */ || c === 96 /* ` */) return true;
  }
  return false;
}

/** `/\s\s|[^\S ]/.test(text)`: whitespace other than a single space somewhere. */
function hasOddWhitespace(text: string): boolean {
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) {
      if (space) return true;
      space = true;
    } else if (isWhitespace(c)) {
      return true;
    } else {
      space = false;
    }
  }
  return false;
}

/** What `\s` matches, other than the space itself. */
function isWhitespace(c: number): boolean {
  if (c < 128) return c >= 9 && c <= 13;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Two independent 32-bit FNV-1a passes give 64 bits, of which the id keeps 40: identity, not
 * security, is the point, and a cryptographic hash per unit was the parser's largest cost.
 * The state is a pair so the agent + section prefix is hashed once and shared by its units.
 */
type HashState = [number, number];
const SEED: HashState = [0x811c9dc5, 0x050c5d1f];

function feed(state: HashState, text: string): HashState {
  let a = state[0];
  let b = state[1];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  // A separator after every part, so ["ab", "c"] and ["a", "bc"] differ.
  return [Math.imul(a ^ 0x1f, 0x01000193), Math.imul(b ^ 0x1f, 0x01000193) ^ (b >>> 15)];
}

/** Character codes of the hex digits. */
const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/**
 * `${slug}.` and 40 bits as 10 hex digits (the first 32 bits of the state, then the top 8 of the
 * second), made as one string from character codes: Number#toString(16) and then a chain of
 * concatenations were each a visible cost per unit.
 */
function idOf(slug: string, state: HashState): string {
  const a = state[0];
  const b = state[1] >>> 24;
  return `${slug}.${String.fromCharCode(HEX[a >>> 28], HEX[(a >>> 24) & 15], HEX[(a >>> 20) & 15], HEX[(a >>> 16) & 15], HEX[(a >>> 12) & 15], HEX[(a >>> 8) & 15], HEX[(a >>> 4) & 15], HEX[a & 15], HEX[b >>> 4], HEX[b & 15])}`;
}

function prefixState(agentId: string, sectionPath: readonly string[]): HashState {
  let state = feed(SEED, agentId);
  for (const part of sectionPath) state = feed(state, part);
  return feed(state, '\u0000');
}

export function baseUnitId(agentId: string, sectionPath: string[], text: string): string {
  return idOf(slug(agentId), feed(prefixState(agentId, sectionPath), normalizeRuleText(text)));
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').slice(0, 32) || 'agent';
}

/** Base ids already worked out, by unit: incremental re-parsing gives ids to the same rules again. */
export interface BaseIdCache<T> {
  get(unit: T): string | undefined;
  set(unit: T, base: string): void;
}

/**
 * Gives each unit its id, in document order; repeats of the same base id get `~2`, `~3`. With
 * `cache`, base ids found there are used as they are and new ones are put there.
 */
export function assignIds<T extends { agentId: string; sectionPath: string[]; text: string }>(units: T[], cache?: BaseIdCache<T>): (T & { id: string })[] {
  const seen = new Map<string, number>();
  // Units of one section share their section path array: hash agent + section once per array.
  const prefixes = new Map<string[], { agentId: string; state: HashState }>();
  const slugs = new Map<string, string>();
  for (const u of units) {
    const known = cache?.get(u);
    if (known !== undefined) {
      const n = (seen.get(known) ?? 0) + 1;
      seen.set(known, n);
      (u as T & { id: string }).id = n === 1 ? known : `${known}~${n}`;
      continue;
    }
    let prefix = prefixes.get(u.sectionPath);
    if (!prefix || prefix.agentId !== u.agentId) {
      prefix = { agentId: u.agentId, state: prefixState(u.agentId, u.sectionPath) };
      prefixes.set(u.sectionPath, prefix);
    }
    let agentSlug = slugs.get(u.agentId);
    if (agentSlug === undefined) slugs.set(u.agentId, (agentSlug = slug(u.agentId)));
    const base = idOf(agentSlug, feed(prefix.state, normalizeRuleText(u.text)));
    cache?.set(u, base);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    (u as T & { id: string }).id = n === 1 ? base : `${base}~${n}`;
  }
  return units as (T & { id: string })[];
}
