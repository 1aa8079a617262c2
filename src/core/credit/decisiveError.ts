/**
 * The question every credit method asks of a failed task besides its own signals — the one an
 * annotator of a failure log answers: which step made the failure unavoidable, whose step was it,
 * why, how sure is the model, and what should that step have been (and would the task then have
 * succeeded)? One schema and one wording for TRUCE's Φ, BCD and the all-at-once baseline, so
 * their answers are read the same way (pickBlame.ts).
 *
 * Parsing is lenient where real models vary: a step may come as an id, "step 12" or a number, the
 * confidence as a number or a word; a missing field is not an error.
 */
import { z } from 'zod';
import type { DecisiveAnswer } from './pickBlame';

export const decisiveErrorSchema = z.object({
  found: z.boolean().describe('false when the log does not let you tell which step decided the failure (then leave the other fields out)'),
  stepId: z.union([z.string(), z.number()]).nullable().optional().describe('the id of the decisive step, as given in <step id="…">'),
  agent: z.string().nullable().optional().describe('the agent that took that step'),
  reason: z.string().nullable().optional().describe('what went wrong in that step and how it led to the failure, in one or two sentences'),
  confidence: z.union([z.number(), z.string()]).nullable().optional().describe('how sure you are, from 0 (a guess) to 1 (certain)'),
  shouldHaveBeen: z.string().nullable().optional().describe('what the step should have said or done instead'),
  wouldSucceed: z.union([z.enum(['yes', 'no', 'unsure']), z.boolean()]).nullable().optional().describe('whether the task would then have succeeded'),
});

export type DecisiveErrorReply = z.infer<typeof decisiveErrorSchema>;

/** The decisive-error question in words, shared by the prompts that ask it. */
export const DECISIVE_ERROR_QUESTION = [
  'The task failed. Name the decisive error: the one step that made the failure unavoidable — the step where, had that agent done its job right, the task would most likely have succeeded.',
  'Blame the step that introduced the mistake, not a later step that only passed it on, accepted it or reported it, and not an earlier step that merely set the scene; a tool or the user cannot be the decisive error: name the agent that acted on what they returned.',
  'Give its step id, its agent, the reason, your confidence, what the step should have been, and whether the task would then have succeeded. If the log does not let you tell, answer found: false instead of guessing.',
].join('\n');

/** A reply in the shape pickBlame weighs: the step as given, a confidence word or percentage as a number. */
export function toDecisiveAnswer(reply: DecisiveErrorReply): DecisiveAnswer {
  const confidence = readConfidence(reply.confidence);
  return {
    found: reply.found,
    ...(reply.stepId !== undefined && reply.stepId !== null ? { stepRef: reply.stepId } : {}),
    ...(reply.agent ? { agent: reply.agent } : {}),
    ...(confidence !== undefined ? { confidence } : {}),
    ...(reply.reason ? { reason: reply.reason } : {}),
  };
}

/** A confidence in [0, 1] from a number, a percentage or a word; undefined when unreadable. */
export function readConfidence(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return clamp(value > 1 && value <= 100 ? value / 100 : value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  const number = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(text);
  if (number) return readConfidence(number[2] ? Number(number[1]) / 100 : Number(number[1]));
  const words: Record<string, number> = { 'very high': 0.9, high: 0.8, medium: 0.5, moderate: 0.5, low: 0.25, 'very low': 0.1 };
  return words[text];
}

function clamp(x: number): number {
  return Math.min(1, Math.max(0, x));
}
