/**
 * Which failed tasks of a round credit is unsure about, read from what credit already recorded —
 * no call is made here. A blame is uncertain when
 *
 *   - credit blamed no step, or the step came from the critic's verdicts or scores rather than an
 *     answer to the decisive-error question (TRUCE's blame source);
 *   - the decisive-error answers disagree (they name more than one step), or the answer that won
 *     was given with a confidence below `minConfidence`;
 *   - the critic and the decisive error point at different places: no issue of TRUCE's Φ cites the
 *     blamed step, or under BCD the agent the critics credit lowest on the task is not the blamed
 *     step's agent.
 *
 * The steps to check are credit's own candidates in credit's order: its blamed step, then the
 * steps its issues cite (worst-scored part first) or, under BCD, the steps of the agent the
 * critics credit lowest (latest first) — each first at its agent's latest repetition of the
 * mistake (latestRepeat), then as credit named it. GBC records no blamed step, so its credit
 * gives nothing to check.
 */
import type { PhiPart } from '../credit/truce/phiCredit';
import type { DecisiveAnswer } from '../credit/pickBlame';
import type { CreditReport } from '../credit/types';
import type { Step, Trajectory } from '../trajectory/schema';

export interface UncertainBlame {
  taskId: string;
  /** Why credit's blame of the task is not taken as it is. */
  why: string;
  /** Step ids to correct, in the order they are tried. */
  candidates: string[];
}

interface RecordedBlame {
  agent?: string;
  stepId?: string;
  source?: string;
  confidence?: number;
}

interface BlameDetails {
  blame?: Record<string, RecordedBlame>;
  decisive?: Record<string, DecisiveAnswer[]>;
  phi?: Record<string, PhiPart[]>;
}

export type UncertainBlames = { uncertain: UncertainBlame[] } | { unsupported: string };

export function uncertainBlames(report: CreditReport, trajectories: readonly Trajectory[], minConfidence: number, maxCandidates: number): UncertainBlames {
  if (report.method === 'gbc') return { unsupported: 'GBC credit weighs connections and blames no step, so there is no blame to check' };
  const details = (report.details ?? {}) as BlameDetails;
  const uncertain: UncertainBlame[] = [];
  for (const trajectory of trajectories) {
    if (trajectory.outcome?.success !== false) continue;
    const found = doubtOf(report, details, trajectory, minConfidence);
    if (!found) continue;
    const candidates = candidateSteps(report, details, trajectory).slice(0, maxCandidates);
    if (candidates.length) uncertain.push({ taskId: trajectory.taskId, why: found, candidates });
  }
  return { uncertain };
}

/** Why the task's blame is uncertain, or undefined when credit is sure of it. */
function doubtOf(report: CreditReport, details: BlameDetails, trajectory: Trajectory, minConfidence: number): string | undefined {
  const blame = details.blame?.[trajectory.taskId];
  if (!blame?.stepId) return 'credit blamed no step';
  if (blame.source !== undefined && blame.source !== 'decisive') return `the blame of ${blame.stepId} rests on the critic's ${blame.source === 'verdict' ? 'verdicts' : 'scores'}, not on a decisive-error answer`;
  const answers = (details.decisive?.[trajectory.taskId] ?? []).filter((a) => a.found);
  const named = new Set(answers.map((a) => String(a.stepRef)));
  if (named.size > 1) return `the decisive-error answers name ${named.size} different steps`;
  const confidence = blame.confidence ?? meanConfidence(answers);
  if (confidence !== undefined && confidence < minConfidence) return `the decisive error ${blame.stepId} was named with confidence ${confidence.toFixed(2)} (below ${minConfidence})`;
  const parts = details.phi?.[trajectory.taskId];
  if (parts) {
    const cited = parts.some((p) => p.points.some((pt) => pt.kind === 'issue' && pt.stepIds.includes(blame.stepId as string)));
    return cited ? undefined : `no issue the critic raised cites the decisive error ${blame.stepId}`;
  }
  const lowest = lowestCreditAgent(report, trajectory.taskId);
  if (lowest !== undefined && blame.agent !== undefined && lowest !== blame.agent) return `the critics credit ${lowest} lowest, the decisive error names ${blame.agent}`;
  return undefined;
}

function meanConfidence(answers: readonly DecisiveAnswer[]): number | undefined {
  const known = answers.map((a) => a.confidence).filter((c): c is number => c !== undefined);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : undefined;
}

/** The agent with the lowest agent-scope credit on the task (BCD's role credit); undefined on a tie or none. */
function lowestCreditAgent(report: CreditReport, taskId: string): string | undefined {
  const scores = report.signals.filter((s) => s.scope === 'agent' && s.taskId === taskId).sort((a, b) => a.score - b.score);
  const [first, second] = scores;
  if (!first || (second && second.score === first.score)) return undefined;
  return first.ref;
}

function candidateSteps(report: CreditReport, details: BlameDetails, trajectory: Trajectory): string[] {
  const steps = new Map(trajectory.steps.map((s) => [s.id, s]));
  const seqOf = new Map(trajectory.steps.map((s) => [s.id, s.seq]));
  const parts = details.phi?.[trajectory.taskId] ?? [];
  const issues = [...parts].sort((a, b) => a.overall - b.overall || a.index - b.index).flatMap((p) => p.points.filter((pt) => pt.kind === 'issue'));
  const out: string[] = [];
  const push = (id: string) => {
    if (seqOf.has(id) && !out.includes(id)) out.push(id);
  };
  // The latest repetition first, then the step as credit named it (see latestRepeat).
  const add = (id: string | undefined) => {
    if (id === undefined) return;
    push(latestRepeat(id, issues, steps));
    push(id);
  };
  add(details.blame?.[trajectory.taskId]?.stepId);
  if (details.phi?.[trajectory.taskId]) {
    for (const issue of issues) issue.stepIds.forEach(add);
  } else {
    const lowest = lowestCreditAgent(report, trajectory.taskId);
    const signal = report.signals.find((s) => s.scope === 'agent' && s.taskId === trajectory.taskId && s.ref === lowest);
    [...(signal?.evidence ?? [])].sort((a, b) => (seqOf.get(b) ?? 0) - (seqOf.get(a) ?? 0)).forEach(add);
  }
  return out;
}

/**
 * The first step to correct for a credited step: the agent's latest repetition of it — a
 * later-round step of the same agent and kind (a MAS that runs in rounds), or a later step of the
 * same agent that an issue citing it also cites. Where each round is worked afresh, an agent that
 * restates its mistake every round is read by the outcome at its last repetition, and correcting an
 * earlier one leaves the repeat in place: trying credit's steps only as named confirmed none of 28
 * blames in the mixed simulation scenario, where credit names the first round's step. Where the
 * team goes along with what an earlier round settled, it is the other way round — the repeat
 * changes nothing once the others have followed the first mistake — so the step as named is tried
 * next (the anchored scenario).
 */
function latestRepeat(stepId: string, issues: ReadonlyArray<{ stepIds: string[] }>, steps: ReadonlyMap<string, Step>): string {
  const step = steps.get(stepId);
  if (!step) return stepId;
  const coCited = new Set(issues.filter((i) => i.stepIds.includes(stepId)).flatMap((i) => i.stepIds));
  let best = step;
  for (const other of steps.values()) {
    if (other.agentId !== step.agentId || other.seq <= best.seq) continue;
    if (coCited.has(other.id) || (other.kind === step.kind && other.round > step.round)) best = other;
  }
  return best.id;
}
