/**
 * One call, one answer: the all-at-once baseline asks the optimizer the decisive-error question
 * about the whole log and reads the reply with the same pickBlame every other method uses, so a
 * difference in accuracy comes from what the model was shown, not from how its answer was read.
 * A log that does not fit the context budget even with every step at its floor is not clipped
 * further: the model investigates it over a few turns instead (investigate.ts).
 */
import { callStructured, estimatePromptTokens } from '../../llm';
import type { Trajectory } from '../../trajectory/schema';
import { decisiveErrorSchema, toDecisiveAnswer, type DecisiveErrorReply } from '../decisiveError';
import { pickBlame, type BlameChoice } from '../pickBlame';
import { DEFAULT_CONTEXT_TOKENS } from '../truce/phiCredit';
import type { MethodContext } from '../types';
import { investigate } from './investigate';
import { ALL_AT_ONCE_SCHEMA_NAME, ALL_AT_ONCE_TEMPLATE_VERSION, buildAllAtOnceMessages } from './prompt';

export interface AllAtOnceOutcome {
  blame: BlameChoice;
  /** The model's reply as validated; absent when it could not be used. */
  answer?: DecisiveErrorReply;
  /** Characters each step was allowed in the prompt. */
  stepChars: number;
  /** Set when the log was investigated over several turns instead of shown whole. */
  investigation?: { turns: number; read: string[] };
}

export async function allAtOnceBlame(context: MethodContext, trajectory: Trajectory): Promise<AllAtOnceOutcome> {
  // The same default budget as TRUCE's Φ, so both methods are held to the same context size.
  const contextTokens = context.config.optimizer.contextTokens ?? DEFAULT_CONTEXT_TOKENS;
  const { messages, stepChars } = buildAllAtOnceMessages(trajectory, contextTokens);
  if (estimatePromptTokens(messages) > contextTokens) {
    const found = await investigate(context, trajectory, contextTokens);
    const investigation = { turns: found.turns, read: found.read };
    if (!found.answer) {
      context.note(`all-at-once (task ${trajectory.taskId}, investigated): ${found.why}; no pick.`);
      return { blame: { source: 'none', why: found.why ?? 'no answer' }, stepChars, investigation };
    }
    return { blame: pickBlame(trajectory, { decisive: [toDecisiveAnswer(found.answer)] }), answer: found.answer, stepChars, investigation };
  }
  const result = await callStructured(
    context.optimizer,
    { messages, schema: decisiveErrorSchema, schemaName: ALL_AT_ONCE_SCHEMA_NAME, templateVersion: ALL_AT_ONCE_TEMPLATE_VERSION, temperature: 0 },
    { phase: 'credit', ...(context.signal ? { signal: context.signal } : {}) },
  );
  if (!result.ok) {
    const why = `the reply could not be used (${result.error.message})`;
    context.note(`all-at-once (task ${trajectory.taskId}): ${why}; no pick.`);
    return { blame: { source: 'none', why }, stepChars };
  }
  const answer = result.value;
  const blame = pickBlame(trajectory, { decisive: [toDecisiveAnswer(answer)] });
  if (blame.source === 'none' && answer.found) {
    // pickBlame's own reason speaks of verdict parts, which this method never has.
    const named = answer.stepId === undefined || answer.stepId === null ? 'no step' : `"${String(answer.stepId)}", which is not a step of the log`;
    return { blame: { source: 'none', why: `the model named ${named}` }, answer, stepChars };
  }
  return { blame, answer, stepChars };
}
