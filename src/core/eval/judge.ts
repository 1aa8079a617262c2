/**
 * Rubric grading by a model. The reply is `{ reasoning, score }` (reasoning first so the model
 * argues before it commits to a number). If the call or its reply fails, the result carries the
 * error and score 0 with `success: false` — never a made-up grade.
 */
import * as z from 'zod';
import { EvaluatorConfigError } from './errors';
import { buildJudgeMessages, JUDGE_PROMPT_VERSION } from './prompts/judgeRubric';
import { referenceOf } from './reference';
import { failed, scored } from './result';
import { callSafely, type StructuredCaller } from './structuredCaller';
import type { EvalInput, EvalResult, Evaluator } from './types';

export interface JudgeOptions {
  rubric: string;
  /** Score at or above which the task counts as a success; default 0.5. */
  passThreshold?: number;
  /** Show the reference answer to the judge when the task has one; default true. */
  useReference?: boolean;
}

export const JudgeVerdictSchema = z.object({
  reasoning: z.string(),
  score: z.number().min(0).max(1),
});

export type JudgeVerdict = z.infer<typeof JudgeVerdictSchema>;

export const DEFAULT_PASS_THRESHOLD = 0.5;

export class JudgeEvaluator implements Evaluator {
  readonly type = 'llm-judge' as const;
  private readonly threshold: number;
  private readonly caller: StructuredCaller;

  constructor(
    private readonly options: JudgeOptions,
    caller: StructuredCaller | undefined,
  ) {
    if (typeof options.rubric !== 'string' || !options.rubric.trim()) throw new EvaluatorConfigError('llm-judge: `rubric` must say what a good answer is.', ['rubric']);
    if (!caller) throw new EvaluatorConfigError('llm-judge: no judge model is configured; set the judge endpoint in truce.yaml.');
    this.caller = caller;
    this.threshold = checkThreshold(options.passThreshold, 'llm-judge');
  }

  async evaluate(input: EvalInput): Promise<EvalResult> {
    const reference = this.options.useReference === false ? undefined : referenceOf(input);
    const messages = buildJudgeMessages({ rubric: this.options.rubric, task: input.task?.input, reference, output: input.output });
    const reply = await callSafely(this.caller, messages, JudgeVerdictSchema, {
      purpose: 'eval-judge',
      schemaName: 'judge_verdict',
      promptVersion: JUDGE_PROMPT_VERSION,
      signal: input.signal,
    });
    if (!reply.ok) return failed('judge-failed', reply.message, { promptVersion: JUDGE_PROMPT_VERSION });
    const { score, reasoning } = reply.value;
    return scored(score, score >= this.threshold, { reasoning, promptVersion: JUDGE_PROMPT_VERSION });
  }
}

export function checkThreshold(value: number | undefined, where: string): number {
  if (value === undefined) return DEFAULT_PASS_THRESHOLD;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new EvaluatorConfigError(`${where}: \`passThreshold\` must be between 0 and 1; got ${JSON.stringify(value)}.`, ['passThreshold']);
  return value;
}
