/**
 * The no-units ablation as the TRUCE paper describes it (§6.4 "w/o UnitRefine", App. D.3: "updates
 * are applied globally to the prompt"), for any credit method: after the method's credit(), the
 * loop does not ask the method for unit edits and does not pool them across tasks. Instead, for
 * every editable agent the batch's credit implicates, ONE call (a TextGrad-style update step)
 * sees the agent's current rules as a plain list and the batch's feedback about the agent, and
 * returns the agent's whole new rule list.
 *
 * Which agents, with which feedback (collectFeedback):
 *  - with credit: every signal with a negative score implicates the agents it is about — the
 *    agent it names (scope 'agent'), the owner of the rule it names (scope 'unit'), and the owners
 *    of the steps it cites (every scope). The agent is shown the signal's text with the task id and
 *    outcome.
 *  - with credit ablated: the agents that took part in a failed task, shown only the outcomes.
 *
 * The reply becomes unit edits (credit/wholeBlock.ts), so files still only change through
 * verified, recorded, revertable edits, but the edits of one agent's rewrite share a `group` and
 * form ONE indivisible candidate item: no support floor, no top-k, no conflict filter among its
 * parts; applySuggestions applies a group whole or not at all, and pruning after acceptance keeps
 * or drops a group as a whole. A rewrite that would need any invalid edit (a structural change,
 * an edit of a locked rule, …) is rejected whole, with the reason, never repaired.
 */
import { createHash } from 'node:crypto';
import { callStructured } from '../llm';
import { isRoleStatement, checkProposal } from '../credit/validateProposal';
import { rewriteAsProposals } from '../credit/wholeBlock';
import type { Trajectory } from '../trajectory/schema';
import { normalizeRuleText, cleanRuleText, type UnitEdit } from '../units';
import { unitsOf } from '../credit/agentUnits';
import {
  buildGlobalRewriteMessages,
  GLOBAL_REWRITE_SCHEMA_NAME,
  GLOBAL_REWRITE_VERSION,
  globalRewriteReplySchema,
  type FeedbackLine,
} from './prompts/globalRewrite';
import { suggestionId } from './suggestionId';
import type { CreditReport, MethodContext, MethodName, Suggestion, SuggestionEvidence } from '../credit/types';

/** Feedback lines one call is shown; the most negative are kept when there are more. */
export const MAX_FEEDBACK_ITEMS = 40;

export interface FeedbackItem extends FeedbackLine {
  /** The signal's score (with credit ablated: the outcome mapped to [-1, 1]). */
  credit: number;
  /** Steps of this agent behind the feedback. */
  stepIds: string[];
}

export interface GlobalRewriteOutcome {
  /** The edits of every usable rewrite, status 'proposed', each carrying its agent's `group`. */
  suggestions: Suggestion[];
  /** Rewrite calls made (one per implicated agent). */
  calls: number;
  /** Agents whose rewrite was unusable or invalid, with the reason. */
  rejected: Array<{ agentId: string; reason: string }>;
}

const signed = (score: number) => score * 2 - 1;

/** The feedback per editable agent (config agent id), in the agents' order; agents without feedback are absent. */
export function collectFeedback(
  context: Pick<MethodContext, 'agents' | 'config' | 'ablations'>,
  report: CreditReport,
  trajectories: readonly Trajectory[],
): Map<string, FeedbackItem[]> {
  const editable = context.agents.filter((a) => unitsOf(context.agents, context.config, a.agentId) !== undefined).map((a) => a.agentId);
  const editableSet = new Set(editable);
  const byTask = new Map(trajectories.map((t) => [t.taskId, t]));
  const found = new Map<string, FeedbackItem[]>();
  const add = (agentId: string, item: FeedbackItem) => {
    const list = found.get(agentId) ?? [];
    if (!list.some((x) => x.taskId === item.taskId && x.text === item.text)) list.push(item);
    found.set(agentId, list);
  };

  if (context.ablations.noCredit) {
    for (const t of trajectories) {
      if (t.outcome?.success !== false) continue;
      for (const agentId of editable) {
        const own = t.steps.filter((s) => s.agentId === agentId).map((s) => s.id);
        if (own.length) add(agentId, { taskId: t.taskId, score: t.outcome.score, success: false, credit: signed(t.outcome.score), stepIds: own });
      }
    }
  } else {
    const unitOwner = new Map<string, string>();
    for (const agentId of editable) for (const u of unitsOf(context.agents, context.config, agentId)?.prompt.units ?? []) unitOwner.set(u.id, agentId);
    for (const s of report.signals) {
      if (!(s.score < 0)) continue;
      const t = byTask.get(s.taskId);
      if (!t?.outcome) continue;
      const owner = new Map(t.steps.map((st) => [st.id, st.agentId]));
      const about = new Set<string>();
      if (s.scope === 'agent' && editableSet.has(s.ref)) about.add(s.ref);
      if (s.scope === 'unit' && unitOwner.has(s.ref)) about.add(unitOwner.get(s.ref) as string);
      for (const id of s.evidence) {
        const a = owner.get(id);
        if (a !== undefined && editableSet.has(a)) about.add(a);
      }
      for (const agentId of about) {
        const own = s.evidence.filter((id) => owner.get(id) === agentId);
        add(agentId, { taskId: s.taskId, score: t.outcome.score, success: t.outcome.success, text: s.text, credit: s.score, stepIds: own });
      }
    }
  }
  // The agents' order, so calls and candidate items come out the same way every run.
  return new Map(editable.filter((a) => found.has(a)).map((a) => [a, found.get(a) as FeedbackItem[]]));
}

/** At most MAX_FEEDBACK_ITEMS, the most negative first when some must go; shown in task order. */
function boundFeedback(items: readonly FeedbackItem[]): { shown: FeedbackItem[]; omitted: number } {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const kept = [...items].sort((a, b) => a.credit - b.credit || cmp(a.taskId, b.taskId) || cmp(a.text ?? '', b.text ?? '')).slice(0, MAX_FEEDBACK_ITEMS);
  kept.sort((a, b) => cmp(a.taskId, b.taskId) || cmp(a.text ?? '', b.text ?? ''));
  return { shown: kept, omitted: items.length - kept.length };
}

/** A list naming the same rule twice is the same list with it once. */
function distinctRules(rules: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const r of rules) {
    const text = cleanRuleText(r);
    const key = normalizeRuleText(text);
    if (!text || seen.has(key)) continue;
    seen.add(key);
    out.push(text);
  }
  return out;
}

export function groupIdOf(agentId: string, file: string, edits: readonly UnitEdit[]): string {
  const material = [GLOBAL_REWRITE_VERSION, agentId, file.replace(/\\/g, '/'), ...edits.map((e) => suggestionId(e, file))].join('\u0000');
  return `g-${createHash('sha256').update(material).digest('hex').slice(0, 12)}`;
}

export async function globalRewrite(
  context: MethodContext,
  report: CreditReport,
  trajectories: readonly Trajectory[],
  options: { sampledTaskIds: readonly string[]; method: MethodName },
): Promise<GlobalRewriteOutcome> {
  const feedback = collectFeedback(context, report, trajectories);
  const sampled = new Set(options.sampledTaskIds).size;
  const jobs = [...feedback.entries()].map(([agentId, items]) => ({ agentId, items, found: unitsOf(context.agents, context.config, agentId) as NonNullable<ReturnType<typeof unitsOf>> }));
  const replies = await Promise.all(
    jobs.map(async (job) => {
      const { shown, omitted } = boundFeedback(job.items);
      const units = job.found.prompt.units;
      const messages = buildGlobalRewriteMessages({
        agentId: job.agentId,
        agentKind: job.found.agent.kind,
        rules: units.map((u) => ({ text: u.text, fixed: u.locked || isRoleStatement(u.text) })),
        feedback: shown,
        noCredit: context.ablations.noCredit,
        omitted,
      });
      const r = await callStructured(
        context.optimizer,
        { messages, schema: globalRewriteReplySchema, schemaName: GLOBAL_REWRITE_SCHEMA_NAME, templateVersion: GLOBAL_REWRITE_VERSION, temperature: 0 },
        { phase: 'global-rewrite', agent: job.agentId, ...(context.signal ? { signal: context.signal } : {}) },
      );
      return { job, r };
    }),
  );

  const suggestions: Suggestion[] = [];
  const rejected: GlobalRewriteOutcome['rejected'] = [];
  const reject = (agentId: string, reason: string) => {
    rejected.push({ agentId, reason });
    context.note(`global rewrite (agent ${agentId}): ${reason}`);
  };
  for (const { job, r } of replies) {
    if (!r.ok) {
      reject(job.agentId, `the reply could not be used (${r.error.message}${r.error.issues.length ? `: ${r.error.issues.slice(0, 3).join('; ')}` : ''}); no edits from it.`);
      continue;
    }
    const prompt = job.found.prompt;
    const rules = distinctRules(r.value.rules);
    const editable = prompt.units.filter((u) => !u.locked && !isRoleStatement(u.text));
    if (!rules.length && editable.length) {
      reject(job.agentId, 'the reply lists no rules at all; an empty list is read as a failed reply, not as "delete every rule".');
      continue;
    }
    const stepIds = [...new Set(job.items.flatMap((i) => i.stepIds))];
    const proposals = rewriteAsProposals(prompt, rules, r.value.rationale, stepIds);
    if (!proposals.length) {
      context.note(`global rewrite (agent ${job.agentId}): the new list keeps the rules as they are; no edits.`);
      continue;
    }
    const checks = proposals.map((p) => ({ p, check: checkProposal(p, prompt, new Set(stepIds)) }));
    const bad = checks.find((c) => !c.check.ok);
    if (bad && !bad.check.ok) {
      reject(job.agentId, `the rewrite needs an edit that is not allowed (${bad.p.op}${bad.p.targetUnitId ? ` ${bad.p.targetUnitId}` : ''}: ${bad.check.reason}); a rewrite is taken whole or not at all, so none of its ${proposals.length} edits is used.`);
      continue;
    }
    const edits = checks.map((c) => (c.check.ok ? c.check.edit : undefined)).filter((e): e is UnitEdit => e !== undefined);
    const file = job.found.agent.file;
    const group = groupIdOf(job.agentId, file, edits);
    const tasks = [...new Set(job.items.map((i) => i.taskId))].sort();
    const evidence: SuggestionEvidence[] = tasks.map((taskId) => ({ taskId, stepIds: [...new Set(job.items.filter((i) => i.taskId === taskId).flatMap((i) => i.stepIds))].sort() }));
    const credit = job.items.reduce((s, i) => s + i.credit, 0) / job.items.length;
    for (const edit of edits) {
      suggestions.push({
        id: suggestionId(edit, file),
        edit,
        file,
        rationale: r.value.rationale.trim(),
        evidence,
        support: sampled > 0 ? Math.min(1, tasks.length / sampled) : 0,
        tasks,
        credit,
        method: options.method,
        status: 'proposed',
        group,
      });
    }
  }
  return { suggestions, calls: jobs.length, rejected };
}
