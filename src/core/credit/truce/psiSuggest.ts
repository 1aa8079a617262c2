/**
 * Ψ over a batch: for every task that carries a signal and every optimizable agent with implicated
 * steps (cited by Φ; with credit ablated, any step of its own), one call that proposes unit edits.
 * Proposals are checked (validateProposal.ts) and the rejected ones are recorded with their reason.
 */
import { callStructured } from '../../llm';
import { unitsOf } from '../agentUnits';
import { buildPsiMessages, PSI_SCHEMA_NAME, PSI_TEMPLATE_VERSION, psiReplySchema, type CreditLine } from './prompts/psi';
import type { MethodContext, RawSuggestion } from '../types';
import type { Trajectory } from '../../trajectory/schema';
import type { AgentPrompt } from '../../units';
import type { PhiPart } from './phiCredit';
import { partOfStep } from './unitCredit';
import { checkProposal, type Proposal } from '../validateProposal';

export interface RejectedProposal {
  taskId: string;
  agentId: string;
  op: string;
  target?: string;
  reason: string;
}

export interface PsiOutcome {
  suggestions: RawSuggestion[];
  rejected: RejectedProposal[];
  /** Ψ calls made (one per task and implicated agent). */
  calls: number;
  /** Agent×task pairs without implicated steps, which Ψ was not asked about. */
  skippedAgents: number;
}

export const MAX_SUGGESTIONS_PER_CALL = 3;

function creditLines(parts: readonly PhiPart[]): CreditLine[] {
  return parts.map((p) => ({ label: p.label, overall: p.overall, summary: p.summary, points: p.points.map((pt) => ({ kind: pt.kind, text: pt.text, stepIds: pt.stepIds })) }));
}

/**
 * Steps of `agentId` that Ψ is asked about: with credit, the steps Φ pointed at — on a failed task
 * only those it blamed (an agent that was merely praised there did not cause the failure, and
 * asking Ψ about it cost a quarter of the Ψ calls for almost no proposals); on a successful task
 * praise counts too, since a rule can be written from what went well. Without credit (ablated),
 * all its steps.
 */
export function implicatedSteps(trajectory: Trajectory, agentId: string, parts: readonly PhiPart[] | undefined): string[] {
  const own = trajectory.steps.filter((s) => s.agentId === agentId).map((s) => s.id);
  if (!parts) return own;
  const failed = trajectory.outcome?.success === false;
  const cited = new Set(parts.flatMap((p) => p.points.filter((pt) => !failed || pt.kind === 'issue').flatMap((pt) => pt.stepIds)));
  return own.filter((id) => cited.has(id));
}

/** Credit carried by a suggestion: mean overall of the parts its evidence sits in; outcome-based without Φ. */
function suggestionCredit(trajectory: Trajectory, parts: readonly PhiPart[] | undefined, evidence: readonly string[]): number {
  if (!parts) return (trajectory.outcome?.score ?? 0) * 2 - 1;
  const overalls = evidence.map((id) => partOfStep(parts, id)?.overall).filter((x): x is number => x !== undefined);
  if (!overalls.length) return 0;
  return overalls.reduce((a, b) => a + b, 0) / overalls.length;
}

export async function suggestForTasks(
  context: MethodContext,
  trajectories: readonly Trajectory[],
  phi: ReadonlyMap<string, readonly PhiPart[]> | undefined,
): Promise<PsiOutcome> {
  const jobs: Array<{ t: Trajectory; agentId: string; file: string; kind: string; prompt: AgentPrompt; implicated: string[] }> = [];
  let skippedAgents = 0;
  for (const t of trajectories) {
    for (const au of context.agents) {
      const found = unitsOf(context.agents, context.config, au.agentId);
      if (!found) continue;
      const implicated = implicatedSteps(t, au.agentId, phi ? (phi.get(t.taskId) ?? []) : undefined);
      if (!implicated.length) {
        skippedAgents++;
        continue;
      }
      jobs.push({ t, agentId: au.agentId, file: au.file, kind: au.kind, prompt: found.prompt, implicated });
    }
  }
  const results = await Promise.all(
    jobs.map(async (job) => {
      const parts = phi ? (phi.get(job.t.taskId) ?? []) : undefined;
      const input = {
        trajectory: job.t,
        agentId: job.agentId,
        agentKind: job.kind,
        units: job.prompt.units,
        steps: job.t.steps.filter((s) => s.agentId === job.agentId),
        ...(parts ? { credit: creditLines(parts) } : {}),
        maxSuggestions: MAX_SUGGESTIONS_PER_CALL,
      };
      const call = { phase: 'psi', agent: job.agentId, ...(context.signal ? { signal: context.signal } : {}) };
      const r = await callStructured(
        context.optimizer,
        { messages: buildPsiMessages(input), schema: psiReplySchema, schemaName: PSI_SCHEMA_NAME, templateVersion: PSI_TEMPLATE_VERSION, temperature: 0 },
        call,
      );
      if (!r.ok) return { job, failure: `${r.error.message}${r.error.issues.length ? `: ${r.error.issues.slice(0, 3).join('; ')}` : ''}` };
      const proposals: Proposal[] = r.value.suggestions;
      return { job, proposals, parts };
    }),
  );

  const suggestions: RawSuggestion[] = [];
  const rejected: RejectedProposal[] = [];
  for (const r of results) {
    const { job } = r;
    const where = `task ${job.t.taskId}, agent ${job.agentId}`;
    if ('failure' in r) {
      context.note(`Ψ (${where}): the reply could not be used (${r.failure}); no suggestions from it.`);
      continue;
    }
    const known = new Set(job.t.steps.map((s) => s.id));
    for (const p of r.proposals) {
      const check = checkProposal(p, job.prompt, known);
      if (!check.ok) {
        rejected.push({ taskId: job.t.taskId, agentId: job.agentId, op: p.op, ...(p.targetUnitId ? { target: p.targetUnitId } : {}), reason: check.reason });
        context.note(`Ψ (${where}): rejected ${p.op}${p.targetUnitId ? ` ${p.targetUnitId}` : ''}: ${check.reason}.`);
        continue;
      }
      if (check.droppedEvidence.length) context.note(`Ψ (${where}): step ids that do not exist were dropped from the evidence: ${check.droppedEvidence.join(', ')}.`);
      // Evidence is never empty: without valid citations the agent's implicated steps stand in.
      const stepIds = check.evidence.length ? check.evidence : job.implicated;
      suggestions.push({
        taskId: job.t.taskId,
        edit: check.edit,
        file: job.file,
        rationale: p.rationale.trim(),
        evidence: [{ taskId: job.t.taskId, stepIds }],
        credit: suggestionCredit(job.t, r.parts, stepIds),
        method: 'truce',
      });
    }
  }
  return { suggestions, rejected, calls: jobs.length, skippedAgents };
}
