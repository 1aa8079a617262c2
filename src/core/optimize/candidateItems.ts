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
  /** Strength of the credit behind it, |credit| (a group's weakest member's). */
  credit: number;
  /** Steps its evidence cites (a group's weakest member's). */
  evidence: number;
}

const evidenceSteps = (s: Suggestion) => s.evidence.reduce((n, e) => n + e.stepIds.length, 0);

/** Items in order of their first member; a group's members keep their order. */
export function candidateItems<S extends Suggestion>(suggestions: readonly S[]): Array<CandidateItem<S>> {
  const items: Array<CandidateItem<S>> = [];
  const groups = new Map<string, CandidateItem<S>>();
  for (const s of suggestions) {
    if (s.group === undefined) {
      items.push({ key: s.id, members: [s], support: s.support, credit: Math.abs(s.credit), evidence: evidenceSteps(s) });
      continue;
    }
    const item = groups.get(s.group);
    if (item) {
      item.members.push(s);
      item.support = Math.min(item.support, s.support);
      item.credit = Math.min(item.credit, Math.abs(s.credit));
      item.evidence = Math.min(item.evidence, evidenceSteps(s));
    } else {
      const fresh: CandidateItem<S> = { key: s.group, members: [s], support: s.support, credit: Math.abs(s.credit), evidence: evidenceSteps(s) };
      groups.set(s.group, fresh);
      items.push(fresh);
    }
  }
  return items;
}

/**
 * The order pruning tries items away in: the pool's own ranking (aggregate.ts rankSuggestions)
 * turned round — least support first, then the weakest credit behind it, then the fewest steps of
 * evidence, then by key (stable across runs). Pruning stops at the first item it keeps, so an
 * item ranked after a real fix is never tried: the order has to put the likely ride-alongs first.
 * Support alone ties often (two tasks of twelve each), and on a tie the credit tells a fix that
 * every task blamed strongly from an edit one task's weak or contrary credit gave rise to. The
 * order is read off the round's suggestions alone, before any validation task is run, which is
 * what lets pruning's tests share the round's α (acceptOrPrune.ts).
 */
export function pruneOrder<S extends Suggestion>(items: ReadonlyArray<CandidateItem<S>>): Array<CandidateItem<S>> {
  return [...items].sort((a, b) => a.support - b.support || a.credit - b.credit || a.evidence - b.evidence || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** How much better backed than the least-backed item an item may be and still be tried away. */
export const PRUNE_SUPPORT_RATIO = 2;

/**
 * The items pruning tries away, in pruneOrder: those backed by at most PRUNE_SUPPORT_RATIO times
 * the support of the least-backed one. An edit that independent tasks asked for well over twice
 * as often as the weakest edit beside it is the kind of item pruning keeps — and a test that keeps
 * an item costs about a validation of its own (the set without it has to be run until the item is
 * shown to help), buys nothing, and ends pruning anyway. Leaving such items untried cannot weaken
 * the guarantee: pruning only ever replaces the gate's candidate by a set that passed its own test,
 * so trying fewer sets can only lower the chance of a false acceptance.
 */
export function pruneCandidates<S extends Suggestion>(items: ReadonlyArray<CandidateItem<S>>): { tried: Array<CandidateItem<S>>; untried: Array<CandidateItem<S>> } {
  const ordered = pruneOrder(items);
  const weakest = ordered[0]?.support ?? 0;
  const triable = (i: CandidateItem<S>) => i.support <= PRUNE_SUPPORT_RATIO * weakest + 1e-12;
  return { tried: ordered.filter(triable), untried: ordered.filter((i) => !triable(i)) };
}
