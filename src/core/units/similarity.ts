/** Cheap lexical similarity of rule texts (Dice coefficient over word bigrams and words). */
import { normalizeRuleText } from './unitId';

function grams(text: string): Map<string, number> {
  const words = normalizeRuleText(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const out = new Map<string, number>();
  const add = (g: string) => out.set(g, (out.get(g) ?? 0) + 1);
  for (let i = 0; i < words.length; i++) {
    add(words[i]);
    if (i + 1 < words.length) add(`${words[i]} ${words[i + 1]}`);
  }
  return out;
}

/** 1 for the same words in the same order, 0 for nothing in common. */
export function textSimilarity(a: string, b: string): number {
  const ga = grams(a);
  const gb = grams(b);
  let total = 0;
  let shared = 0;
  for (const n of ga.values()) total += n;
  for (const [g, n] of gb) {
    total += n;
    shared += Math.min(n, ga.get(g) ?? 0);
  }
  return total === 0 ? (normalizeRuleText(a) === normalizeRuleText(b) ? 1 : 0) : (2 * shared) / total;
}
