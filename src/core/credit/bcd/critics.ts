/**
 * The LLM calls of the BCD credit: critic scores (q), the peer view of a round (p) and textual
 * gradients. Each returns a value or undefined; an unusable reply is noted (never guessed) and
 * counted, so the report can state how many signals are missing and what the credit cost.
 */
import { callStructured, type LlmClient } from '../../llm';
import { toDecisiveAnswer } from '../decisiveError';
import type { DecisiveAnswer } from '../pickBlame';
import type { MethodContext } from '../types';
import { BCD_CRITIC_SCHEMA_NAME, BCD_CRITIC_VERSION, BcdCriticSchema, bcdCriticMessages, type BcdCriticInput, type BcdCriticReply } from './prompts/bcdCritic';
import {
  BCD_GRADIENT_SCHEMA_NAME,
  BCD_GRADIENT_VERSION,
  BcdGradientSchema,
  bcdGradientMessages,
  type BcdGradientInput,
  type BcdGradientReply,
} from './prompts/bcdGradient';
import { BCD_PEER_SCHEMA_NAME, BCD_PEER_VERSION, BcdPeerSchema, bcdPeerMessages, type BcdPeerInput } from './prompts/bcdPeer';

/** LLM calls made, including repairs: the method's query complexity. */
export interface CallCounter {
  calls: number;
  failed: number;
}

function failureNote(what: string, error: { stage: string; message: string }): string {
  return `bcd: ${what}: unusable reply (${error.stage}): ${error.message}`;
}

export async function criticScore(client: LlmClient, context: MethodContext, input: BcdCriticInput, counter: CallCounter): Promise<BcdCriticReply | undefined> {
  const result = await callStructured(
    client,
    { messages: bcdCriticMessages(input), schema: BcdCriticSchema, schemaName: BCD_CRITIC_SCHEMA_NAME, templateVersion: BCD_CRITIC_VERSION, temperature: 0 },
    { phase: 'credit', agent: 'bcd-critic', ...(context.signal ? { signal: context.signal } : {}) },
  );
  counter.calls += result.calls.length;
  if (result.ok) return result.value;
  counter.failed += 1;
  context.note(failureNote(`critic of ${input.agentId} in round ${input.round}`, result.error));
  return undefined;
}

export interface PeerView {
  /** p per agent id of the round; agents the judge skipped or misnamed have none. */
  ratings: Map<string, { score: number; rationale: string }>;
  /** The decisive error when the judge placed it in this round (found answers only). */
  decisive?: DecisiveAnswer;
}

export async function peerScores(client: LlmClient, context: MethodContext, input: BcdPeerInput, counter: CallCounter): Promise<PeerView> {
  const result = await callStructured(
    client,
    { messages: bcdPeerMessages(input), schema: BcdPeerSchema, schemaName: BCD_PEER_SCHEMA_NAME, templateVersion: BCD_PEER_VERSION, temperature: 0 },
    { phase: 'credit', agent: 'bcd-peer', ...(context.signal ? { signal: context.signal } : {}) },
  );
  counter.calls += result.calls.length;
  const out = new Map<string, { score: number; rationale: string }>();
  if (!result.ok) {
    counter.failed += 1;
    context.note(failureNote(`peer view of round ${input.round}`, result.error));
    return { ratings: out };
  }
  const expected = new Set(input.contributions.map((c) => c.agentId));
  for (const r of result.value.ratings) {
    if (!expected.has(r.agentId)) {
      context.note(`bcd: peer view of round ${input.round} rated unknown agent "${r.agentId}"; ignored.`);
      continue;
    }
    // A second rating of the same agent is ambiguous; the first one stands.
    if (!out.has(r.agentId)) out.set(r.agentId, { score: r.score, rationale: r.rationale });
  }
  const d = result.value.decisive;
  // "found: false" here means "not in this round", not "cannot tell": only found answers are kept.
  if (!d?.found || d.stepId === undefined || d.stepId === null) return { ratings: out };
  return { ratings: out, decisive: toDecisiveAnswer(d) };
}

export async function textualGradient(client: LlmClient, context: MethodContext, input: BcdGradientInput, counter: CallCounter): Promise<BcdGradientReply | undefined> {
  const result = await callStructured(
    client,
    { messages: bcdGradientMessages(input), schema: BcdGradientSchema, schemaName: BCD_GRADIENT_SCHEMA_NAME, templateVersion: BCD_GRADIENT_VERSION },
    { phase: 'credit', agent: input.agentId, ...(context.signal ? { signal: context.signal } : {}) },
  );
  counter.calls += result.calls.length;
  if (result.ok) return result.value;
  counter.failed += 1;
  context.note(failureNote(`gradient for ${input.agentId}`, result.error));
  return undefined;
}
