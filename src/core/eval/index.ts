/** Public API of evaluation: outcome evaluators, the evaluator config, and the process metrics. */
export { ChoiceEvaluator, DEFAULT_CHOICE_LETTERS, type ChoiceOptions } from './choice';
export { extractChoice, type ChoiceExtraction, type ChoiceExtractOptions, type LowercaseRule } from './choiceExtract';
export { CommandEvaluator, DEFAULT_COMMAND_TIMEOUT_MS, type CommandDeps, type CommandOptions } from './command';
export {
  ChoiceConfigSchema,
  CommandConfigSchema,
  ContainsAllConfigSchema,
  EvaluatorConfigSchema,
  ExactConfigSchema,
  JudgeConfigSchema,
  NumericConfigSchema,
  RegexConfigSchema,
  TextPatternSchema,
  type EvaluatorConfig,
} from './config';
export { ContainsAllEvaluator, type ContainsAllOptions } from './containsAll';
export {
  COORDINATION_DIMENSIONS,
  CoordinationJudge,
  CoordinationVerdictSchema,
  type CoordinationDimension,
  type CoordinationOptions,
  type CoordinationResult,
  type CoordinationVerdict,
} from './coordination';
export { createEvaluator, type EvaluatorDeps } from './createEvaluator';
export { EvaluatorConfigError } from './errors';
export { ExactEvaluator, type ExactOptions } from './exact';
export { extractNumbers, type FoundNumber } from './extractNumbers';
export { DEFAULT_PASS_THRESHOLD, JudgeEvaluator, JudgeVerdictSchema, type JudgeOptions, type JudgeVerdict } from './judge';
export {
  MilestoneDetector,
  MilestoneSchema,
  type Milestone,
  type MilestoneCurvePoint,
  type MilestoneDetectorOptions,
  type MilestoneHit,
  type MilestoneReport,
} from './milestones';
export { normalizeText, type NormalizeOptions } from './normalize';
export { DEFAULT_ABS_TOLERANCE, NumericEvaluator, pickNumber, type NumberPick, type NumericOptions } from './numeric';
export { COORDINATION_PROMPT_VERSION } from './prompts/coordinationRubric';
export { JUDGE_PROMPT_VERSION } from './prompts/judgeRubric';
export { MILESTONE_PROMPT_VERSION } from './prompts/milestoneDetection';
export { RegexEvaluator, type RegexOptions } from './regex';
export { renderTrajectory, type RenderOptions } from './renderTrajectory';
export { clampScore } from './result';
export {
  callSafely,
  type JudgeMessage,
  type JudgePurpose,
  type SafeCallResult,
  type StructuredCallMeta,
  type StructuredCaller,
  type StructuredCallResult,
} from './structuredCaller';
export { type TextPatternSpec } from './textPattern';
export { orderedSteps, roundIndexes, tokensOf, trajectoryTokens, type EvalAgent, type EvalStep, type EvalTrajectory, type EvalUsage } from './trajectory';
export type { EvalError, EvalErrorKind, EvalInput, EvalResult, EvalTask, Evaluator, EvaluatorType } from './types';
