/**
 * The items a candidate is made of. Normally every retained suggestion is its own item; the edits
 * of one agent's global rewrite (the no-units ablation, globalRewrite.ts) share a `group` and form
 * one item, because the rewrite is one update of the whole prompt — the acceptance gate and the
 * pruning after it keep or drop it as a whole, never a part of it.
 */
import type { Suggestion } from '../credit/types';

export interface CandidateItem<S extends Suggestion = Suggestion> {
  /** The group id, or the suggestion's id for an ungrouped one. */
  key: string;
  members: S[];
  /** Support of the item (a group's members share theirs; the lowest counts if they do not). */
  support: number;
}

/** Items in order of their first member; a group's members keep their order. */
export function candidateItems<S extends Suggestion>(suggestions: readonly S[]): Array<CandidateItem<S>> {
  const items: Array<CandidateItem<S>> = [];
  const groups = new Map<string, CandidateItem<S>>();
  for (const s of suggestions) {
    if (s.group === undefined) {
      items.push({ key: s.id, members: [s], support: s.support });
      continue;
    }
    const item = groups.get(s.group);
    if (item) {
      item.members.push(s);
      item.support = Math.min(item.support, s.support);
    } else {
      const fresh: CandidateItem<S> = { key: s.group, members: [s], support: s.support };
      groups.set(s.group, fresh);
      items.push(fresh);
    }
  }
  return items;
}

/** The order pruning tries items away in: weakest support first, then by key (stable across runs). */
export function pruneOrder<S extends Suggestion>(items: ReadonlyArray<CandidateItem<S>>): Array<CandidateItem<S>> {
  return [...items].sort((a, b) => a.support - b.support || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
