/**
 * Pooling suggestions across tasks (TRUCE §4.5). Per-task proposals are noisy and task-specific;
 * an edit that several sampled tasks ask for independently is more likely a real fix. So:
 *
 * 1. Near-duplicates are merged: same operation, same agent and file, same target unit (MODIFY,
 *    DELETE) — and for texts, lexical similarity (textSimilarity) of the new text at or above
 *    `similarity`. Proposals are visited in a fixed order and each joins the first cluster whose
 *    representative it resembles, so the result never depends on the order tasks finished in.
 *    Optionally an LLM merge pass (`mergeGroups`) joins clusters the lexical pass kept apart.
 * 2. Support = distinct sampled tasks behind a cluster / tasks sampled (Eq. 4 of the paper; tasks
 *    skipped for carrying no signal still count in the denominator — they were sampled).
 * 3. Ranking: support, then the strength of the credit behind it, then evidence, then id.
 * 4. Retention: at most `topKPerAgent` per agent and `topK` overall, and never two edits of the
 *    same unit (the lower-ranked one is rejected as conflicting) — both could not apply cleanly.
 *    An edit that too few tasks asked for is rejected outright: a noisy critic or suggester
 *    produces one-off edits, and a candidate accepted for its real fixes would carry them along.
 */
import { normalizeRuleText, textSimilarity, type UnitEdit } from '../units';
import { suggestionId } from './suggestionId';
import type { MethodName, RawSuggestion, Suggestion, SuggestionEvidence } from '../credit/types';

export interface AggregateOptions {
  /** Every task sampled this round (the support denominator). */
  sampledTaskIds: readonly string[];
  topK: number;
  /** Default: topK. */
  topKPerAgent?: number;
  /** Lexical similarity at which two new texts are the same suggestion. */
  similarity?: number;
  method: MethodName;
  /**
   * Distinct tasks that must propose an edit before it can be retained. Capped at a quarter of
   * the sampled tasks (at least 1), so small batches can still move. Default 1.
   */
  minTasks?: number;
}

/** The support floor actually applied for a batch of `sampled` tasks. */
export function effectiveMinTasks(minTasks: number, sampled: number): number {
  return Math.max(1, Math.min(minTasks, Math.ceil(sampled / 4)));
}

export const DEFAULT_MERGE_SIMILARITY = 0.6;

export interface Cluster {
  members: RawSuggestion[];
}

export interface AggregateResult {
  /** Every pooled suggestion, ranked; retained ones have status 'proposed', the rest 'rejected'. */
  ranked: Suggestion[];
  retained: Suggestion[];
}

/** What must be equal for two proposals to be the same edit at all. */
function groupKey(s: RawSuggestion): string {
  const e = s.edit;
  const target = e.op === 'ADD' ? '' : (e.targetUnitId ?? '');
  return [e.op, e.agentId, s.file, target].join('\u0000');
}

function rawOrder(a: RawSuggestion, b: RawSuggestion): number {
  return (
    cmp(groupKey(a), groupKey(b)) ||
    cmp(a.taskId, b.taskId) ||
    cmp(normalizeRuleText(a.edit.newText ?? ''), normalizeRuleText(b.edit.newText ?? '')) ||
    cmp(a.rationale, b.rationale)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Lexical clustering (step 1). Pure and order-independent. */
export function clusterSuggestions(raws: readonly RawSuggestion[], similarity = DEFAULT_MERGE_SIMILARITY): Cluster[] {
  const clusters: Array<Cluster & { key: string; text: string }> = [];
  for (const raw of [...raws].sort(rawOrder)) {
    const key = groupKey(raw);
    const text = raw.edit.newText ?? '';
    const home = clusters.find((c) => c.key === key && (raw.edit.op === 'DELETE' || textSimilarity(c.text, text) >= similarity));
    if (home) home.members.push(raw);
    else clusters.push({ key, text, members: [raw] });
  }
  return clusters.map((c) => ({ members: c.members }));
}

/**
 * Joins clusters named together by an LLM merge pass. Groups are lists of cluster indices; a group
 * is honoured only between clusters of the same operation, agent, file and target, because a merge
 * must never turn one unit's edit into another unit's.
 */
export function joinClusters(clusters: readonly Cluster[], groups: readonly number[][]): Cluster[] {
  const owner = clusters.map((_, i) => i);
  const find = (i: number): number => (owner[i] === i ? i : (owner[i] = find(owner[i])));
  for (const group of groups) {
    const valid = [...new Set(group)].filter((i) => Number.isInteger(i) && i >= 0 && i < clusters.length);
    for (const i of valid.slice(1)) {
      const [a, b] = [find(valid[0]), find(i)];
      if (a !== b && groupKey(clusters[a].members[0]) === groupKey(clusters[b].members[0])) owner[b] = a;
    }
  }
  const out = new Map<number, Cluster>();
  clusters.forEach((c, i) => {
    const root = find(i);
    const into = out.get(root);
    if (into) into.members.push(...c.members);
    else out.set(root, { members: [...c.members] });
  });
  return [...out.values()];
}

/** The text most tasks proposed; ties go to the shorter, then alphabetical (stable, and terse rules read better). */
function representative(members: readonly RawSuggestion[]): RawSuggestion {
  const byText = new Map<string, RawSuggestion[]>();
  for (const m of members) {
    const k = normalizeRuleText(m.edit.newText ?? '');
    byText.set(k, [...(byText.get(k) ?? []), m]);
  }
  const choices = [...byText.entries()].map(([text, ms]) => ({ text, ms, tasks: new Set(ms.map((m) => m.taskId)).size }));
  choices.sort((a, b) => b.tasks - a.tasks || a.text.length - b.text.length || cmp(a.text, b.text));
  return [...choices[0].ms].sort(rawOrder)[0];
}

export function toSuggestion(cluster: Cluster, sampled: number, method: MethodName): Suggestion {
  const rep = representative(cluster.members);
  const tasks = [...new Set(cluster.members.map((m) => m.taskId))].sort();
  const evidenceByTask = new Map<string, Set<string>>();
  for (const m of cluster.members) {
    for (const ev of m.evidence) {
      const set = evidenceByTask.get(ev.taskId) ?? new Set<string>();
      for (const id of ev.stepIds) set.add(id);
      evidenceByTask.set(ev.taskId, set);
    }
  }
  const evidence: SuggestionEvidence[] = [...evidenceByTask.entries()].sort(([a], [b]) => cmp(a, b)).map(([taskId, ids]) => ({ taskId, stepIds: [...ids].sort() }));
  const credit = cluster.members.reduce((s, m) => s + m.credit, 0) / cluster.members.length;
  const edit: UnitEdit = { ...rep.edit };
  return {
    id: suggestionId(edit, rep.file),
    edit,
    file: rep.file,
    rationale: rep.rationale,
    evidence,
    support: sampled > 0 ? Math.min(1, tasks.length / sampled) : 0,
    tasks,
    credit,
    method,
    status: 'proposed',
  };
}

export function rankSuggestions(suggestions: readonly Suggestion[]): Suggestion[] {
  const evidenceCount = (s: Suggestion) => s.evidence.reduce((n, e) => n + e.stepIds.length, 0);
  return [...suggestions].sort(
    (a, b) => b.support - a.support || Math.abs(b.credit) - Math.abs(a.credit) || evidenceCount(b) - evidenceCount(a) || cmp(a.id, b.id),
  );
}

/** Which unit an edit changes, for conflict detection; ADDs change none. */
function touchedUnit(s: Suggestion): string | undefined {
  return s.edit.op === 'ADD' ? undefined : `${s.file}\u0000${s.edit.agentId}\u0000${s.edit.targetUnitId}`;
}

export function retainTopK(ranked: readonly Suggestion[], topK: number, topKPerAgent = topK, minTasks = 1): AggregateResult {
  const perAgent = new Map<string, number>();
  const touched = new Map<string, string>();
  const retained: Suggestion[] = [];
  const out = ranked.map((s): Suggestion => {
    const unit = touchedUnit(s);
    const pct = `${Math.round(s.support * 100)}%`;
    if (s.tasks.length < minTasks) return { ...s, status: 'rejected', reason: `Proposed by ${s.tasks.length} task${s.tasks.length === 1 ? '' : 's'}; at least ${minTasks} must ask for an edit before it is tried (optimizer.minSupportTasks).` };
    if (unit && touched.has(unit)) return { ...s, status: 'rejected', reason: `Conflicts with ${touched.get(unit)}, which edits the same rule and ranks higher.` };
    const agentKey = `${s.file}\u0000${s.edit.agentId}`;
    const count = perAgent.get(agentKey) ?? 0;
    if (count >= topKPerAgent) return { ...s, status: 'rejected', reason: `Agent ${s.edit.agentId} already has ${topKPerAgent} higher-ranked suggestions (support ${pct}).` };
    if (retained.length >= topK) return { ...s, status: 'rejected', reason: `Not among the top ${topK} suggestions (support ${pct}).` };
    perAgent.set(agentKey, count + 1);
    if (unit) touched.set(unit, s.id);
    const kept: Suggestion = { ...s, status: 'proposed' };
    retained.push(kept);
    return kept;
  });
  return { ranked: out, retained };
}

/** Steps 1–4 without the LLM pass. Pure. */
export function aggregateSuggestions(raws: readonly RawSuggestion[], options: AggregateOptions, mergeGroups: readonly number[][] = []): AggregateResult {
  let clusters = clusterSuggestions(raws, options.similarity);
  if (mergeGroups.length) clusters = joinClusters(clusters, mergeGroups);
  return poolClusters(clusters, options);
}

export function poolClusters(clusters: readonly Cluster[], options: AggregateOptions): AggregateResult {
  const sampled = new Set(options.sampledTaskIds).size;
  const suggestions = clusters.map((c) => toSuggestion(c, sampled, options.method));
  // Two clusters can end with the same edit (an LLM merge, or identical texts under two targets
  // that resolve alike); one entry per id keeps ids unique.
  const byId = new Map<string, Suggestion>();
  for (const s of suggestions) {
    const prev = byId.get(s.id);
    if (!prev) byId.set(s.id, s);
    else {
      const tasks = [...new Set([...prev.tasks, ...s.tasks])].sort();
      byId.set(s.id, { ...prev, tasks, support: sampled > 0 ? Math.min(1, tasks.length / sampled) : 0, evidence: [...prev.evidence, ...s.evidence] });
    }
  }
  return retainTopK(rankSuggestions([...byId.values()]), options.topK, options.topKPerAgent ?? options.topK, effectiveMinTasks(options.minTasks ?? 1, sampled));
}
