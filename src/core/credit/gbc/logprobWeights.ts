/**
 * The likelihood estimator of connection weights: the closest a black-box endpoint gets to the
 * GBC paper's input gradients. The weight of edge p → s is how much less likely s's recorded
 * output becomes when p's block is taken out of s's recorded input — scored, not regenerated, so
 * it measures the influence on the output s actually produced.
 *
 * Per node: one scoring call with the full input, one per predecessor with its block removed
 * (the same removal as the ablation estimator, `withoutBlock`). The log-likelihood drop Δ over the
 * output's n tokens becomes weight 1 − exp(−max(0, Δ)/n): the share by which the average
 * per-token probability of the output falls without the block. 0 when the block does not help
 * (or hurts), towards 1 when the output cannot be produced without it; comparable across nodes
 * and outputs of different lengths.
 */
import { scoreContinuation, type ChatMessage, type LlmClient, type ScoringRoute } from '../../llm';
import type { MethodContext } from '../types';
import type { Step } from '../../trajectory/schema';
import { recordedMessages, withoutBlock } from './ablation';

export const LOGPROB_TEMPLATE_VERSION = 'gbc-logprob/1';

export interface LogprobResult {
  /** By predecessor step id; absent when the block was not found in the input. */
  weights: Map<string, number>;
  /** The log-likelihood drop behind each weight (nats over the whole output). */
  drops: Map<string, number>;
  missing: string[];
  calls: number;
}

export function likelihoodWeight(drop: number, tokens: number): number {
  return 1 - Math.exp(-Math.max(0, drop) / Math.max(1, tokens));
}

/** Undefined when the step has no recorded input or output to score; no weights when the server returned no score. */
export async function logprobWeights(
  client: LlmClient,
  route: ScoringRoute,
  context: MethodContext,
  step: Step,
  predecessors: readonly Step[],
  messages = recordedMessages(step),
): Promise<LogprobResult | undefined> {
  if (!messages || !step.output.trim()) return undefined;
  const score = (msgs: ChatMessage[]) =>
    scoreContinuation(client, msgs, step.output, route, {
      templateVersion: LOGPROB_TEMPLATE_VERSION,
      context: { phase: 'credit', agent: step.agentId, ...(context.signal ? { signal: context.signal } : {}) },
    });
  const ablated = predecessors.map((p) => ({ p, msgs: withoutBlock(messages, p) }));
  const missing = ablated.filter((a) => !a.msgs).map((a) => a.p.id);
  const found = ablated.filter((a): a is { p: Step; msgs: ChatMessage[] } => a.msgs !== undefined);
  if (found.length === 0) return { weights: new Map(), drops: new Map(), missing, calls: 0 };
  const [full, ...variants] = await Promise.all([score(messages), ...found.map((a) => score(a.msgs))]);
  const calls = 1 + found.length;
  if (!full) return { weights: new Map(), drops: new Map(), missing: [...missing, ...found.map((a) => a.p.id)], calls };
  const weights = new Map<string, number>();
  const drops = new Map<string, number>();
  found.forEach((a, i) => {
    const v = variants[i];
    if (!v) {
      missing.push(a.p.id);
      return;
    }
    const drop = full.logprob - v.logprob;
    drops.set(a.p.id, drop);
    weights.set(a.p.id, likelihoodWeight(drop, full.tokens));
  });
  return { weights, drops, missing, calls };
}
