/**
 * The judge estimator of connection weights: one structured call per node rates the influence of
 * each of its input blocks. Used when configured, and for nodes the ablation estimator cannot
 * re-run (imported logs record outputs but not the messages that produced them).
 */
import { callStructured, type LlmClient } from '../../llm';
import type { MethodContext } from '../types';
import { GBC_INFLUENCE_SCHEMA_NAME, GBC_INFLUENCE_VERSION, GbcInfluenceSchema, gbcInfluenceMessages } from './prompts/gbcInfluence';
import type { Step } from '../../trajectory/schema';

export interface JudgeResult {
  /** By predecessor step id; blocks the judge did not rate are absent. */
  weights: Map<string, number>;
  calls: number;
  ok: boolean;
}

export async function judgeWeights(client: LlmClient, context: MethodContext, step: Step, predecessors: readonly Step[]): Promise<JudgeResult> {
  const result = await callStructured(
    client,
    {
      messages: gbcInfluenceMessages({ agentId: step.agentId, output: step.output, blocks: predecessors.map((p) => ({ blockId: p.id, agentId: p.agentId, text: p.output })) }),
      schema: GbcInfluenceSchema,
      schemaName: GBC_INFLUENCE_SCHEMA_NAME,
      templateVersion: GBC_INFLUENCE_VERSION,
      // A weight is a measurement: the same edge must weigh the same on a re-run.
      temperature: 0,
    },
    { phase: 'credit', agent: 'gbc-influence', ...(context.signal ? { signal: context.signal } : {}) },
  );
  const weights = new Map<string, number>();
  if (!result.ok) {
    context.note(`gbc: influence judge for step ${step.id}: unusable reply (${result.error.stage}): ${result.error.message}`);
    return { weights, calls: result.calls.length, ok: false };
  }
  const expected = new Set(predecessors.map((p) => p.id));
  for (const b of result.value.blocks) {
    if (!expected.has(b.blockId)) {
      context.note(`gbc: influence judge for step ${step.id} rated unknown block "${b.blockId}"; ignored.`);
      continue;
    }
    if (!weights.has(b.blockId)) weights.set(b.blockId, b.influence);
  }
  return { weights, calls: result.calls.length, ok: true };
}
