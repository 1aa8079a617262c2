/**
 * From what a model answered about a failed task to one blamed agent and step. The order of trust
 * follows how much each answer says about the question a failure label answers:
 *
 *  1. the decisive error the model named (decisiveError.ts) — answers naming the same step pool
 *     their confidence (several calls or samples vote), the most confident step wins, and an
 *     explicit "cannot tell" (found: false, with no other answer that found one) gives no pick
 *     rather than a guess;
 *  2. its signed verdicts — only steps cited as hurting ever take blame, praise never does: the
 *     first (or most severe) issue of the worst-scored part that has issues;
 *  3. the part scores alone, which can name an agent but not a step.
 *
 * Ties are settled by what the model said (confidence, severity, sub-scores), never by position in
 * the log; a tie nothing settles gives no pick. Steps of agents without a prompt (tools, the user)
 * are never blamed: their effect goes to the agent that acted on them.
 */
import type { Step, Trajectory } from '../trajectory/schema';
import { resolveStepRef } from './resolveStep';

export interface DecisiveAnswer {
  found: boolean;
  stepRef?: unknown;
  agent?: string;
  /** In [0, 1]; a missing confidence counts as 0.5. */
  confidence?: number;
  reason?: string;
}

export interface VerdictPart {
  index: number;
  overall: number;
  /** The other sub-scores of the part (a lower sum breaks a tie on `overall`). */
  scores?: number[];
  stepIds: string[];
  /** Behaviour that hurt, in the order the model gave it; severity in [0, 1] when it gave one. */
  issues: Array<{ stepIds: string[]; severity?: number }>;
}

/** 'intervention': the optimizer re-ran the task with the step corrected and it then succeeded (optimize/blameFindings.ts). */
export type BlameSource = 'decisive' | 'verdict' | 'score' | 'none' | 'intervention';

export interface BlameChoice {
  agent?: string;
  stepId?: string;
  source: BlameSource;
  confidence?: number;
  /** Why this pick (or why none), for reports and notes. */
  why: string;
}

const NO_PROMPT_KINDS = new Set(['tool', 'human']);

export function holdsPrompt(trajectory: Pick<Trajectory, 'agents'>, agentId: string): boolean {
  const agent = trajectory.agents.find((a) => a.id === agentId);
  return !agent?.kind || !NO_PROMPT_KINDS.has(agent.kind);
}

/**
 * The step whose agent answers for `step`: the step itself when its agent has a prompt; else the
 * first later prompt-holding step that read it, else the next prompt-holding step, else the last
 * prompt-holding step before it (the one that called the tool).
 */
export function promptHolderStep(trajectory: Pick<Trajectory, 'agents' | 'steps'>, step: Step): Step | undefined {
  if (holdsPrompt(trajectory, step.agentId)) return step;
  const later = trajectory.steps.filter((s) => s.seq > step.seq && holdsPrompt(trajectory, s.agentId));
  return later.find((s) => s.reads.includes(step.id)) ?? later[0] ?? [...trajectory.steps].reverse().find((s) => s.seq < step.seq && holdsPrompt(trajectory, s.agentId));
}

export function pickBlame(trajectory: Pick<Trajectory, 'agents' | 'steps'>, answers: { decisive?: readonly DecisiveAnswer[]; parts?: readonly VerdictPart[] }): BlameChoice {
  const parts = answers.parts ?? [];
  const decisive = fromDecisive(trajectory, answers.decisive ?? [], parts);
  if (decisive) return decisive;
  return fromVerdicts(trajectory, parts) ?? fromScores(trajectory, parts);
}

function fromDecisive(trajectory: Pick<Trajectory, 'agents' | 'steps'>, answers: readonly DecisiveAnswer[], parts: readonly VerdictPart[]): BlameChoice | undefined {
  const named = answers
    .filter((a) => a.found)
    .map((a) => ({ answer: a, step: decisiveStep(trajectory, a) }))
    .filter((x): x is { answer: DecisiveAnswer; step: Step } => x.step !== undefined);
  if (!named.length) {
    const cannotTell = answers.length > 0 && answers.every((a) => !a.found);
    return cannotTell ? { source: 'none', why: 'the model said it cannot tell which step decided the failure' } : undefined;
  }
  const confidence = (a: DecisiveAnswer) => a.confidence ?? 0.5;
  const hurtCitations = (step: Step) => parts.reduce((n, p) => n + p.issues.filter((i) => i.stepIds.includes(step.id)).length, 0);
  // One vote per answer, weighted by its confidence: samples that agree add up.
  const votes = new Map<string, { step: Step; weight: number; answers: DecisiveAnswer[] }>();
  for (const { answer, step } of named) {
    const v = votes.get(step.id) ?? { step, weight: 0, answers: [] };
    v.weight += confidence(answer);
    v.answers.push(answer);
    votes.set(step.id, v);
  }
  const ranked = [...votes.values()].sort((a, b) => b.weight - a.weight || hurtCitations(b.step) - hurtCitations(a.step));
  const [best, second] = ranked;
  if (!best) return undefined;
  if (second && second.weight === best.weight && hurtCitations(second.step) === hurtCitations(best.step)) {
    return undefined; // answers disagree and nothing the model said settles it: the verdicts decide
  }
  const reason = best.answers.find((a) => a.reason)?.reason;
  const share = named.length > 1 ? ` (${best.answers.length} of ${named.length} answers)` : '';
  return {
    agent: best.step.agentId,
    stepId: best.step.id,
    source: 'decisive',
    confidence: Math.min(1, best.weight / best.answers.length),
    why: `the model named ${best.step.id} (${best.step.agentId}) as the decisive error${share}${reason ? `: ${reason}` : ''}`,
  };
}

/** The step a decisive answer names, moved to a prompt holder; a named agent corrects an off-by-one. */
function decisiveStep(trajectory: Pick<Trajectory, 'agents' | 'steps'>, answer: DecisiveAnswer): Step | undefined {
  let step = resolveStepRef(trajectory, answer.stepRef);
  if (!step) return undefined;
  const agent = answer.agent?.trim().toLowerCase();
  if (agent && step.agentId.toLowerCase() !== agent) {
    const at = step.seq;
    const near = trajectory.steps.filter((s) => s.agentId.toLowerCase() === agent && Math.abs(s.seq - at) <= 1);
    if (near.length === 1) step = near[0];
  }
  return step ? promptHolderStep(trajectory, step) : undefined;
}

function fromVerdicts(trajectory: Pick<Trajectory, 'agents' | 'steps'>, parts: readonly VerdictPart[]): BlameChoice | undefined {
  const steps = new Map(trajectory.steps.map((s) => [s.id, s]));
  const blamable = parts.filter((p) => p.issues.some((i) => i.stepIds.some((id) => steps.has(id))));
  const worst = worstOf(blamable, (p) => Math.max(-1, ...p.issues.map((i) => i.severity ?? -1)));
  if (worst === 'tie') return { source: 'none', why: 'parts with equal scores blame different steps and nothing the model said tells them apart' };
  if (!worst) return undefined;
  const severities = worst.issues.some((i) => i.severity !== undefined);
  const issues = severities ? [...worst.issues].sort((a, b) => (b.severity ?? 0) - (a.severity ?? 0)) : worst.issues;
  for (const issue of issues) {
    const holders = issue.stepIds
      .map((id) => steps.get(id))
      .filter((s): s is Step => s !== undefined)
      .map((s) => promptHolderStep(trajectory, s))
      .filter((s): s is Step => s !== undefined)
      .sort((a, b) => a.seq - b.seq);
    const step = holders[0];
    if (step) return { agent: step.agentId, stepId: step.id, source: 'verdict', why: `the first issue the model raised in its worst-scored part (${worst.index}) cites ${step.id}` };
  }
  return undefined;
}

function fromScores(trajectory: Pick<Trajectory, 'agents' | 'steps'>, parts: readonly VerdictPart[]): BlameChoice {
  const worst = worstOf(parts, () => 0);
  if (!worst || worst === 'tie') return { source: 'none', why: worst === 'tie' ? 'the worst parts are tied' : 'the model credited no part' };
  const counts = new Map<string, number>();
  for (const id of worst.stepIds) {
    const step = trajectory.steps.find((s) => s.id === id);
    if (step && holdsPrompt(trajectory, step.agentId)) counts.set(step.agentId, (counts.get(step.agentId) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  if (!ranked[0] || (ranked[1] && ranked[1][1] === ranked[0][1])) return { source: 'none', why: `part ${worst.index} scored worst but cites no step and has no single agent` };
  return { agent: ranked[0][0], source: 'score', why: `part ${worst.index} scored worst and ${ranked[0][0]} took most of its steps` };
}

/** The part with the lowest overall score; ties broken by `severity` (higher is worse), then by the sum of the other scores. */
function worstOf(parts: readonly VerdictPart[], severity: (p: VerdictPart) => number): VerdictPart | 'tie' | undefined {
  const key = (p: VerdictPart): number[] => [p.overall, -severity(p), (p.scores ?? []).reduce((a, b) => a + b, 0)];
  const sorted = [...parts].sort((a, b) => compareKeys(key(a), key(b)));
  const [first, second] = sorted;
  if (!first) return undefined;
  if (second && compareKeys(key(first), key(second)) === 0) return 'tie';
  return first;
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
