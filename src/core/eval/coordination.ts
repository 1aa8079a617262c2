/**
 * Coordination score, one of the TRUCE paper's process metrics: a judge rates communication, role
 * adherence and planning over a whole trajectory, each in [0,1] with reasoning, and the score is
 * their mean. Equal weights keep the figure comparable across runs and with the paper's protocol.
 * A failed judge call gives a recorded error, never a fallback score.
 */
import * as z from 'zod';
import { EvaluatorConfigError } from './errors';
import { checkThreshold } from './judge';
import { buildCoordinationMessages, COORDINATION_PROMPT_VERSION } from './prompts/coordinationRubric';
import { renderTrajectory, type RenderOptions } from './renderTrajectory';
import { failed, scored } from './result';
import { callSafely, type StructuredCaller } from './structuredCaller';
import type { EvalTrajectory } from './trajectory';
import type { EvalResult } from './types';

export const COORDINATION_DIMENSIONS = ['communication', 'roleAdherence', 'planning'] as const;
export type CoordinationDimension = (typeof COORDINATION_DIMENSIONS)[number];

const DimensionSchema = z.object({
  reasoning: z.string(),
  score: z.number().min(0).max(1),
});

export const CoordinationVerdictSchema = z.object({
  communication: DimensionSchema,
  roleAdherence: DimensionSchema,
  planning: DimensionSchema,
});

export type CoordinationVerdict = z.infer<typeof CoordinationVerdictSchema>;

export interface CoordinationOptions extends RenderOptions {
  /** Extra, domain-specific guidance for the judge. */
  guidance?: string;
  /** Mean score at or above which coordination counts as a success; default 0.5. */
  passThreshold?: number;
}

export interface CoordinationResult extends EvalResult {
  /** Present when the judge answered. */
  dimensions?: CoordinationVerdict;
}

export class CoordinationJudge {
  private readonly threshold: number;
  private readonly caller: StructuredCaller;

  constructor(
    caller: StructuredCaller | undefined,
    private readonly options: CoordinationOptions = {},
  ) {
    if (!caller) throw new EvaluatorConfigError('coordination: no judge model is configured; set the judge endpoint in truce.yaml.');
    this.caller = caller;
    this.threshold = checkThreshold(options.passThreshold, 'coordination');
  }

  async score(trajectory: EvalTrajectory, signal?: AbortSignal): Promise<CoordinationResult> {
    const messages = buildCoordinationMessages({
      task: trajectory.task?.input,
      trajectory: renderTrajectory(trajectory, this.options),
      guidance: this.options.guidance,
    });
    const reply = await callSafely(this.caller, messages, CoordinationVerdictSchema, {
      purpose: 'coordination',
      schemaName: 'coordination_verdict',
      promptVersion: COORDINATION_PROMPT_VERSION,
      signal,
    });
    if (!reply.ok) return failed('judge-failed', reply.message, { promptVersion: COORDINATION_PROMPT_VERSION });
    const mean = COORDINATION_DIMENSIONS.reduce((sum, d) => sum + reply.value[d].score, 0) / COORDINATION_DIMENSIONS.length;
    return {
      ...scored(mean, mean >= this.threshold, { ...reply.value, promptVersion: COORDINATION_PROMPT_VERSION }),
      dimensions: reply.value,
    };
  }
}
