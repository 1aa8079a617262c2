/**
 * Milestones, the TRUCE paper's efficiency metric: a task lists intermediate results, and for each
 * one we find the first step at which it was reached. Milestones with a `match` (a string or
 * `{ regex, flags }`) are found by matching step outputs in execution order; the rest go to a judge
 * in one call. From the hits come milestones reached, reached per round and per million tokens, and
 * the accumulated curve over rounds and tokens (its slope is the rate of progress).
 *
 * A milestone the judge could not decide is reported with its error and counted as not reached,
 * and the report lists the errors — so a failed judge call lowers no figure silently.
 */
import * as z from 'zod';
import { EvaluatorConfigError } from './errors';
import { buildMilestoneMessages, MILESTONE_PROMPT_VERSION } from './prompts/milestoneDetection';
import { renderTrajectory, type RenderOptions } from './renderTrajectory';
import { callSafely, type StructuredCaller } from './structuredCaller';
import { compileTextPattern, type TextMatcher, type TextPatternSpec } from './textPattern';
import { orderedSteps, roundIndexes, tokensOf, trajectoryTokens, type EvalStep, type EvalTrajectory } from './trajectory';

export const MilestoneSchema = z.strictObject({
  id: z.string().min(1),
  description: z.string().min(1),
  match: z.union([z.string().min(1), z.strictObject({ regex: z.string().min(1), flags: z.string().optional() })]).optional(),
});

export interface Milestone {
  id: string;
  description: string;
  match?: TextPatternSpec;
}

export interface MilestoneHit {
  id: string;
  description: string;
  method: 'match' | 'judge';
  reached: boolean;
  stepId?: string;
  round?: number;
  /** Position of the step in execution order (0-based). */
  stepIndex?: number;
  /** Tokens the steps used up to and including the reaching step. */
  tokensAtReach?: number;
  reasoning?: string;
  error?: string;
}

export interface MilestoneCurvePoint {
  round: number;
  /** Milestones reached by the end of this round. */
  reached: number;
  /** Step tokens used by the end of this round. */
  tokens: number;
}

export interface MilestoneReport {
  milestones: MilestoneHit[];
  total: number;
  reached: number;
  /** reached / total; null for a task without milestones. */
  fraction: number | null;
  rounds: number;
  tokens: number;
  /** null when the trajectory has no rounds. */
  perRound: number | null;
  /** null when no tokens were recorded: a rate over zero tokens means nothing. */
  perMillionTokens: number | null;
  curve: MilestoneCurvePoint[];
  errors: string[];
  /** Set when a judge was asked. */
  promptVersion?: string;
}

export interface MilestoneDetectorOptions extends RenderOptions {
  /** For string matches; default false. */
  caseSensitive?: boolean;
}

const JudgeReplySchema = z.object({
  milestones: z.array(z.object({ id: z.string(), reasoning: z.string(), stepId: z.string().nullable() })),
});

interface Compiled {
  milestone: Milestone;
  matcher?: TextMatcher;
}

export class MilestoneDetector {
  private readonly compiled: Compiled[];

  constructor(
    milestones: readonly Milestone[],
    private readonly caller?: StructuredCaller,
    private readonly options: MilestoneDetectorOptions = {},
  ) {
    const seen = new Set<string>();
    this.compiled = milestones.map((m, i) => {
      if (!m || typeof m.id !== 'string' || !m.id) throw new EvaluatorConfigError(`milestones[${i}]: \`id\` must be a non-empty string.`, [`milestones.${i}.id`]);
      if (seen.has(m.id)) throw new EvaluatorConfigError(`milestones[${i}]: the id "${m.id}" is used twice.`, [`milestones.${i}.id`]);
      seen.add(m.id);
      if (m.match === undefined) {
        if (!caller) throw new EvaluatorConfigError(`milestones[${i}] ("${m.id}") has no \`match\`, so it needs a judge model; configure the judge endpoint or add a match.`, [`milestones.${i}.match`]);
        return { milestone: m };
      }
      return { milestone: m, matcher: compileTextPattern(m.match, options.caseSensitive ?? false, `milestones[${i}].match`) };
    });
  }

  async detect(trajectory: EvalTrajectory, signal?: AbortSignal): Promise<MilestoneReport> {
    const steps = orderedSteps(trajectory);
    const cumulative = cumulativeTokens(steps);
    const hitAt = (m: Milestone, method: MilestoneHit['method'], index: number): MilestoneHit => ({
      id: m.id,
      description: m.description,
      method,
      reached: true,
      stepId: steps[index].id,
      round: steps[index].round,
      stepIndex: index,
      tokensAtReach: cumulative[index],
    });

    const hits = new Map<string, MilestoneHit>();
    for (const { milestone, matcher } of this.compiled) {
      if (!matcher) continue;
      const index = steps.findIndex((s) => matcher.search(s.output) >= 0);
      hits.set(milestone.id, index >= 0 ? hitAt(milestone, 'match', index) : { id: milestone.id, description: milestone.description, method: 'match', reached: false });
    }

    const errors: string[] = [];
    const forJudge = this.compiled.filter((c) => !c.matcher).map((c) => c.milestone);
    if (forJudge.length) {
      const judged = await this.judge(trajectory, forJudge, signal);
      if (!judged.ok) errors.push(judged.message);
      for (const m of forJudge) {
        const verdict = judged.ok ? judged.byId.get(m.id) : undefined;
        const base = { id: m.id, description: m.description, method: 'judge' as const };
        if (!judged.ok) {
          hits.set(m.id, { ...base, reached: false, error: judged.message });
        } else if (!verdict) {
          const message = `The judge did not report milestone "${m.id}".`;
          errors.push(message);
          hits.set(m.id, { ...base, reached: false, error: message });
        } else if (verdict.stepId === null) {
          hits.set(m.id, { ...base, reached: false, reasoning: verdict.reasoning });
        } else {
          const index = steps.findIndex((s) => s.id === verdict.stepId);
          if (index < 0) {
            const message = `The judge named step "${verdict.stepId}" for milestone "${m.id}", but the trajectory has no such step.`;
            errors.push(message);
            hits.set(m.id, { ...base, reached: false, reasoning: verdict.reasoning, error: message });
          } else {
            hits.set(m.id, { ...hitAt(m, 'judge', index), reasoning: verdict.reasoning });
          }
        }
      }
    }

    const milestones = this.compiled.map((c) => hits.get(c.milestone.id)!);
    return summarize(trajectory, steps, cumulative, milestones, errors, forJudge.length ? MILESTONE_PROMPT_VERSION : undefined);
  }

  private async judge(
    trajectory: EvalTrajectory,
    milestones: Milestone[],
    signal: AbortSignal | undefined,
  ): Promise<{ ok: true; byId: Map<string, { stepId: string | null; reasoning: string }> } | { ok: false; message: string }> {
    const messages = buildMilestoneMessages({
      task: trajectory.task?.input,
      milestones: milestones.map((m) => ({ id: m.id, description: m.description })),
      trajectory: renderTrajectory(trajectory, this.options),
    });
    const reply = await callSafely(this.caller!, messages, JudgeReplySchema, {
      purpose: 'milestones',
      schemaName: 'milestone_detection',
      promptVersion: MILESTONE_PROMPT_VERSION,
      signal,
    });
    if (!reply.ok) return reply;
    // When the judge lists a milestone twice, its first answer stands; later ones are noise.
    const byId = new Map<string, { stepId: string | null; reasoning: string }>();
    for (const m of reply.value.milestones) if (!byId.has(m.id)) byId.set(m.id, { stepId: m.stepId, reasoning: m.reasoning });
    return { ok: true, byId };
  }
}

function cumulativeTokens(steps: readonly EvalStep[]): number[] {
  let sum = 0;
  return steps.map((s) => (sum += tokensOf(s.usage)));
}

function summarize(
  trajectory: EvalTrajectory,
  steps: readonly EvalStep[],
  cumulative: readonly number[],
  milestones: MilestoneHit[],
  errors: string[],
  promptVersion: string | undefined,
): MilestoneReport {
  const reached = milestones.filter((m) => m.reached).length;
  const rounds = roundIndexes(trajectory);
  const tokens = trajectoryTokens(trajectory);
  const curve = rounds.map((round) => {
    const lastIndex = steps.reduce((last, s, i) => (s.round <= round ? i : last), -1);
    return {
      round,
      reached: milestones.filter((m) => m.reached && m.round! <= round).length,
      tokens: lastIndex >= 0 ? cumulative[lastIndex] : 0,
    };
  });
  return {
    milestones,
    total: milestones.length,
    reached,
    fraction: milestones.length ? reached / milestones.length : null,
    rounds: rounds.length,
    tokens,
    perRound: rounds.length ? reached / rounds.length : null,
    perMillionTokens: tokens > 0 ? reached / (tokens / 1_000_000) : null,
    curve,
    errors,
    ...(promptVersion ? { promptVersion } : {}),
  };
}
