/**
 * The naive reading of TRUCE's Algorithm 1, as the query-complexity baseline of P4. It speaks the
 * product's own prompts and schemas (so the simulation world answers it exactly like TRUCE), but
 * spends queries the way the pseudocode does when taken literally:
 *
 *  credit  — one Φ call per sub-trajectory of every task (line 10): no batching of a task's parts
 *            into one call, and no task skipped for carrying no signal.
 *  suggest — one Ψ call per task × optimizable agent (line 12, per agent): no agent skipped for
 *            having no implicated step.
 *          — one LLM merge call per round over all proposals of all agents (no lexical pass
 *            first); groups are honoured only between proposals the product could merge at all
 *            (same operation, agent, file and target), and a group takes its first member's text.
 *          — APPLYEDITS (line 16) through the model: one rewrite call per retained ADD/MODIFY.
 *            Which edits the loop will retain is decided by the loop's own pooling, which is pure,
 *            so it is computed here the same way; the rewritten text replaces the proposed one in
 *            every member of that edit's cluster, so the loop still pools them together and never
 *            needs a rewrite of its own. A DELETE needs no text and gets no call (a literal
 *            reading would pay one; leaving it out keeps the baseline cheaper, never dearer).
 *
 * The loop around it (rollouts, top-k pooling, validation, pruning) is the product's, unchanged.
 */
import { callStructured } from '../../src/core/llm';
import { partitionMode, partSignals, readPhiReply, type PhiPart } from '../../src/core/credit/truce/phiCredit';
import { MAX_SUGGESTIONS_PER_CALL } from '../../src/core/credit/truce/psiSuggest';
import { partOfStep } from '../../src/core/credit/truce/unitCredit';
import { checkProposal } from '../../src/core/credit/validateProposal';
import { clusterSuggestions, poolClusters, toSuggestion } from '../../src/core/optimize/aggregate';
import { unitsOf } from '../../src/core/credit/agentUnits';
import { buildMergeMessages, MERGE_SCHEMA_NAME, MERGE_TEMPLATE_VERSION, mergeReplySchema } from '../../src/core/optimize/prompts/merge';
import { buildPhiMessages, PHI_SCHEMA_NAME, PHI_TEMPLATE_VERSION, phiReplySchema } from '../../src/core/credit/truce/prompts/phi';
import { buildPsiMessages, PSI_SCHEMA_NAME, PSI_TEMPLATE_VERSION, psiReplySchema, type CreditLine } from '../../src/core/credit/truce/prompts/psi';
import { buildRewriteMessages, REWRITE_SCHEMA_NAME, REWRITE_TEMPLATE_VERSION, rewriteReplySchema } from '../../src/core/optimize/prompts/rewrite';
import type { CreditMethod, CreditReport, MethodContext, RawSuggestion } from '../../src/core/credit/types';
import { partitionTrajectory } from '../../src/core/trajectory/partition';
import type { Trajectory } from '../../src/core/trajectory/schema';
import type { AgentPrompt } from '../../src/core/units';

/** Queries the baseline issued, by phase, across the whole run (the loop's accounting has the sent ones). */
export interface NaiveCallCounts {
  phi: number;
  psi: number;
  merge: number;
  rewrite: number;
}

interface NaiveDetails {
  phi: Record<string, PhiPart[]>;
  calls: NaiveCallCounts;
}

function creditLines(parts: readonly PhiPart[]): CreditLine[] {
  return parts.map((p) => ({ label: p.label, overall: p.overall, summary: p.summary, points: p.points.map((pt) => ({ kind: pt.kind, text: pt.text, stepIds: pt.stepIds })) }));
}

/** Mean overall of the parts holding the evidence, as the product credits a suggestion. */
function creditOf(parts: readonly PhiPart[], evidence: readonly string[]): number {
  const overalls = evidence.map((id) => partOfStep(parts, id)?.overall).filter((x): x is number => x !== undefined);
  return overalls.length ? overalls.reduce((a, b) => a + b, 0) / overalls.length : 0;
}

/** Φ on one sub-trajectory at a time, every part of every task, all independent (no "earlier" block). */
async function creditNaively(context: MethodContext, trajectories: readonly Trajectory[], counts: NaiveCallCounts): Promise<Map<string, PhiPart[]>> {
  const out = new Map<string, PhiPart[]>();
  const jobs = trajectories.flatMap((t) => {
    const parts = partitionTrajectory(t, partitionMode(context.config.optimizer));
    return parts.map((part) => ({ t, part, total: parts.length }));
  });
  const replies = await Promise.all(
    jobs.map(async ({ t, part, total }) => {
      counts.phi++;
      const r = await callStructured(
        context.optimizer,
        { messages: buildPhiMessages({ trajectory: t, parts: [part], earlier: [], totalParts: total }), schema: phiReplySchema, schemaName: PHI_SCHEMA_NAME, templateVersion: PHI_TEMPLATE_VERSION, temperature: 0 },
        { phase: 'phi', ...(context.signal ? { signal: context.signal } : {}) },
      );
      if (!r.ok) {
        context.note(`naive Φ (task ${t.taskId}, ${part.label}): the reply could not be used (${r.error.message}).`);
        return { t, parts: [] as PhiPart[] };
      }
      return { t, parts: readPhiReply(r.value, [part], t.taskId, context.note) };
    }),
  );
  for (const { t, parts } of replies) out.set(t.taskId, [...(out.get(t.taskId) ?? []), ...parts].sort((a, b) => a.index - b.index));
  return out;
}

interface Proposed {
  raw: RawSuggestion;
  prompt: AgentPrompt;
}

/** Ψ for every task × optimizable agent, whatever Φ said. */
async function suggestNaively(context: MethodContext, trajectories: readonly Trajectory[], phi: ReadonlyMap<string, readonly PhiPart[]>, counts: NaiveCallCounts): Promise<Proposed[]> {
  const jobs = trajectories.flatMap((t) =>
    context.agents.flatMap((au) => {
      const found = unitsOf(context.agents, context.config, au.agentId);
      return found ? [{ t, au, prompt: found.prompt }] : [];
    }),
  );
  const results = await Promise.all(
    jobs.map(async ({ t, au, prompt }) => {
      counts.psi++;
      const parts = phi.get(t.taskId) ?? [];
      const r = await callStructured(
        context.optimizer,
        {
          messages: buildPsiMessages({
            trajectory: t,
            agentId: au.agentId,
            agentKind: au.kind,
            units: prompt.units,
            steps: t.steps.filter((s) => s.agentId === au.agentId),
            credit: creditLines(parts),
            maxSuggestions: MAX_SUGGESTIONS_PER_CALL,
          }),
          schema: psiReplySchema,
          schemaName: PSI_SCHEMA_NAME,
          templateVersion: PSI_TEMPLATE_VERSION,
          temperature: 0,
        },
        { phase: 'psi', agent: au.agentId, ...(context.signal ? { signal: context.signal } : {}) },
      );
      if (!r.ok) {
        context.note(`naive Ψ (task ${t.taskId}, agent ${au.agentId}): the reply could not be used (${r.error.message}).`);
        return [];
      }
      const known = new Set(t.steps.map((s) => s.id));
      const own = t.steps.filter((s) => s.agentId === au.agentId).map((s) => s.id);
      const out: Proposed[] = [];
      for (const p of r.value.suggestions) {
        const check = checkProposal(p, prompt, known);
        if (!check.ok) {
          context.note(`naive Ψ (task ${t.taskId}, agent ${au.agentId}): rejected ${p.op}: ${check.reason}.`);
          continue;
        }
        const stepIds = check.evidence.length ? check.evidence : own;
        out.push({
          prompt,
          raw: { taskId: t.taskId, edit: check.edit, file: au.file, rationale: p.rationale.trim(), evidence: [{ taskId: t.taskId, stepIds }], credit: creditOf(parts, stepIds), method: 'truce' },
        });
      }
      return out;
    }),
  );
  return results.flat();
}

/** What must be equal before two proposals may become one edit (the product's own rule). */
function mergeKey(r: RawSuggestion): string {
  return [r.edit.op, r.edit.agentId, r.file, r.edit.op === 'ADD' ? '' : (r.edit.targetUnitId ?? '')].join('\u0000');
}

/** One merge call over every proposal of the round; members of a group take its first member's text. */
async function mergeNaively(context: MethodContext, proposals: Proposed[], counts: NaiveCallCounts): Promise<void> {
  if (proposals.length < 2) return;
  counts.merge++;
  const items = proposals.map((p, i) => ({
    index: i + 1,
    op: p.raw.edit.op,
    ...(p.raw.edit.targetUnitId ? { target: `${p.raw.edit.agentId}/${p.raw.edit.targetUnitId}` } : {}),
    text: p.raw.edit.newText ?? '',
  }));
  const r = await callStructured(
    context.optimizer,
    { messages: buildMergeMessages('every agent of the system', items), schema: mergeReplySchema, schemaName: MERGE_SCHEMA_NAME, templateVersion: MERGE_TEMPLATE_VERSION, temperature: 0 },
    { phase: 'merge', ...(context.signal ? { signal: context.signal } : {}) },
  );
  if (!r.ok) {
    context.note(`naive merge: the reply could not be used (${r.error.message}).`);
    return;
  }
  for (const group of r.value.groups) {
    const members = [...new Set(group.members)].filter((m) => m >= 1 && m <= proposals.length).map((m) => proposals[m - 1]);
    const byKey = new Map<string, Proposed[]>();
    for (const m of members) byKey.set(mergeKey(m.raw), [...(byKey.get(mergeKey(m.raw)) ?? []), m]);
    for (const same of byKey.values()) {
      const text = same[0].raw.edit.newText;
      if (same.length < 2 || text === undefined) continue;
      for (const m of same.slice(1)) m.raw.edit = { ...m.raw.edit, newText: text };
    }
  }
}

/** One rewrite call per edit the loop will retain (ADD/MODIFY), its text then used by every member. */
async function rewriteRetained(context: MethodContext, proposals: Proposed[], sampledTaskIds: readonly string[], counts: NaiveCallCounts): Promise<void> {
  const clusters = clusterSuggestions(proposals.map((p) => p.raw));
  const { optimizer } = context.config;
  const pooled = poolClusters(clusters, { sampledTaskIds, topK: optimizer.topK, method: 'truce', minTasks: optimizer.minSupportTasks });
  const retained = new Set(pooled.retained.map((s) => s.id));
  const sampled = new Set(sampledTaskIds).size;
  const promptOf = new Map(proposals.map((p) => [p.raw, p.prompt]));
  await Promise.all(
    clusters.map(async (cluster) => {
      const s = toSuggestion(cluster, sampled, 'truce');
      if (!retained.has(s.id) || s.edit.op === 'DELETE') return;
      const prompt = promptOf.get(cluster.members[0]) as AgentPrompt;
      counts.rewrite++;
      const r = await callStructured(
        context.optimizer,
        {
          messages: buildRewriteMessages({
            agentId: prompt.id,
            op: s.edit.op,
            instruction: s.edit.newText ?? s.rationale,
            ...(s.edit.op === 'MODIFY' && s.edit.oldText !== undefined ? { currentText: s.edit.oldText } : {}),
            otherRules: prompt.units.filter((u) => u.id !== s.edit.targetUnitId).map((u) => u.text),
          }),
          schema: rewriteReplySchema,
          schemaName: REWRITE_SCHEMA_NAME,
          templateVersion: REWRITE_TEMPLATE_VERSION,
          temperature: 0,
        },
        { phase: 'rewrite', agent: prompt.id, ...(context.signal ? { signal: context.signal } : {}) },
      );
      if (!r.ok) {
        context.note(`naive rewrite (${s.id}): the reply could not be used (${r.error.message}); the proposed text stays.`);
        return;
      }
      for (const m of cluster.members) m.edit = { ...m.edit, newText: r.value.text };
    }),
  );
}

/** `counts` accumulates the baseline's issued queries over the run (a factory is called once per run). */
export function createNaiveTruceMethod(counts: NaiveCallCounts = { phi: 0, psi: 0, merge: 0, rewrite: 0 }): CreditMethod {
  return {
    name: 'truce',

    async credit(context: MethodContext, trajectories: Trajectory[]): Promise<CreditReport> {
      const withSteps = trajectories.filter((t) => t.steps.length > 0);
      const phi = await creditNaively(context, withSteps, counts);
      const details: NaiveDetails = { phi: Object.fromEntries(phi), calls: { ...counts } };
      const signals = [...phi.entries()].flatMap(([taskId, parts]) => partSignals({ taskId, parts, calls: 0, decisive: [] }));
      return { method: 'truce', signals, details: details as unknown as Record<string, unknown> };
    },

    async suggest(context: MethodContext, report: CreditReport, trajectories: Trajectory[]): Promise<RawSuggestion[]> {
      const phi = new Map(Object.entries(((report.details ?? {}) as Partial<NaiveDetails>).phi ?? {}));
      const withSteps = trajectories.filter((t) => t.steps.length > 0);
      const proposals = await suggestNaively(context, withSteps, phi, counts);
      await mergeNaively(context, proposals, counts);
      await rewriteRetained(context, proposals, trajectories.map((t) => t.taskId), counts);
      report.details = { ...(report.details ?? {}), calls: { ...counts } };
      return proposals.map((p) => p.raw);
    },
  };
}
