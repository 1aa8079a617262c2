/**
 * The `evaluator:` section of `truce.yaml`: a discriminated union on `type`, strict so a
 * misspelt key ("casesensitive") is reported with its path instead of being ignored. The shapes
 * here only check form; each evaluator's constructor checks meaning (regex syntax, group numbers).
 */
import * as z from 'zod';

export const TextPatternSchema = z.union([
  z.string().min(1),
  z.strictObject({ regex: z.string().min(1), flags: z.string().optional() }),
]);

const RegexFlags = z.string().regex(/^[dgimsuvy]*$/, 'flags may only use the letters d g i m s u v y');
const Probability = z.number().min(0).max(1);

export const ExactConfigSchema = z.strictObject({
  type: z.literal('exact'),
  caseSensitive: z.boolean().optional(),
  stripTrailingPunctuation: z.boolean().optional(),
});

export const ChoiceConfigSchema = z.strictObject({
  type: z.literal('choice'),
  letters: z.union([z.string().min(1), z.array(z.string().length(1)).min(1)]).optional(),
  lowercase: z.enum(['marked', 'any', 'never']).optional(),
});

export const RegexConfigSchema = z.strictObject({
  type: z.literal('regex'),
  pattern: z.string().min(1),
  flags: RegexFlags.optional(),
  group: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional(),
  caseSensitive: z.boolean().optional(),
});

export const NumericConfigSchema = z.strictObject({
  type: z.literal('numeric'),
  abs: z.number().nonnegative().optional(),
  rel: z.number().nonnegative().optional(),
  extract: z.enum(['last', 'first', 'answer']).optional(),
});

export const ContainsAllConfigSchema = z.strictObject({
  type: z.literal('contains-all'),
  items: z.array(TextPatternSchema).min(1),
  caseSensitive: z.boolean().optional(),
});

export const CommandConfigSchema = z.strictObject({
  type: z.literal('command'),
  argv: z.array(z.string()).min(1),
  timeoutMs: z.number().int().positive().optional(),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  passEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'use the name of an environment variable, e.g. SCORER_API_KEY')).optional(),
});

export const JudgeConfigSchema = z.strictObject({
  type: z.literal('llm-judge'),
  rubric: z.string().min(1),
  passThreshold: Probability.optional(),
  useReference: z.boolean().optional(),
});

export const EvaluatorConfigSchema = z.discriminatedUnion('type', [
  ExactConfigSchema,
  ChoiceConfigSchema,
  RegexConfigSchema,
  NumericConfigSchema,
  ContainsAllConfigSchema,
  CommandConfigSchema,
  JudgeConfigSchema,
]);

export type EvaluatorConfig = z.infer<typeof EvaluatorConfigSchema>;
