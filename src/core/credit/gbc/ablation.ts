/**
 * The ablation estimator of connection weights (DESIGN.md §4, the black-box stand-in for GBC's
 * input gradients): re-run the successor's LLM call with one predecessor's block taken out of its
 * recorded input messages and measure how much the output moved.
 *
 * Both the full and the ablated call are re-run with the same client at temperature 0 and compared
 * with each other, not with the recorded output: the recorded output may come from another model or
 * a sampled temperature, and that difference is not the block's influence.
 *
 * Where the endpoint can score a given text (vLLM, llama.cpp), the likelihood estimator
 * (logprobWeights.ts) measures the recorded output itself instead; this estimator is its fallback.
 */
import type { ChatMessage, LlmClient } from '../../llm';
import type { MethodContext } from '../types';
import type { Step } from '../../trajectory/schema';
import { tokenDivergence } from './divergence';

export const ABLATION_TEMPLATE_VERSION = 'gbc-ablation/1';
const OMITTED = '(omitted)';

/**
 * The messages without the predecessor's block. A block written as a contribution heading
 * (`### <agent>` followed by the output, as the rounds MAS writes them) goes with its heading;
 * elsewhere (the shared state under a fixed heading) the text is replaced by a marker so the
 * surrounding message still reads as it was built. Undefined when the block cannot be found.
 */
export function withoutBlock(messages: readonly ChatMessage[], predecessor: Pick<Step, 'agentId' | 'output'>): ChatMessage[] | undefined {
  const needle = predecessor.output.trim();
  if (!needle) return undefined;
  const headed = `### ${predecessor.agentId}\n${needle}`;
  for (const [pattern, replacement] of [
    [headed, ''],
    [needle, OMITTED],
  ] as const) {
    // User messages first: that is where the rounds MAS hands over the facts of a call.
    const order = [...messages.keys()].sort((a, b) => Number(messages[a].role === 'system') - Number(messages[b].role === 'system'));
    for (const i of order) {
      const at = messages[i].content.indexOf(pattern);
      if (at < 0) continue;
      const content = (messages[i].content.slice(0, at) + replacement + messages[i].content.slice(at + pattern.length)).replace(/\n{3,}/g, '\n\n');
      return messages.map((m, j) => (j === i ? { ...m, content } : { ...m }));
    }
  }
  return undefined;
}

/** The step's input as chat messages; a plain-text input is one user message. */
export function recordedMessages(step: Step): ChatMessage[] | undefined {
  if (step.input === undefined) return undefined;
  if (typeof step.input === 'string') return [{ role: 'user', content: step.input }];
  const roles = new Set(['system', 'user', 'assistant']);
  return step.input.map((m) => ({ role: (roles.has(m.role) ? m.role : 'user') as ChatMessage['role'], content: m.content }));
}

export interface AblationResult {
  /** By predecessor step id; absent when the block was not found in the input. */
  weights: Map<string, number>;
  missing: string[];
  calls: number;
}

/** Undefined when the step has no recorded input to re-run (`messages`: an input rebuilt for it instead). */
export async function ablationWeights(client: LlmClient, context: MethodContext, step: Step, predecessors: readonly Step[], messages = recordedMessages(step)): Promise<AblationResult | undefined> {
  if (!messages) return undefined;
  const run = async (msgs: ChatMessage[]) =>
    (
      await client.chat(
        { messages: msgs, temperature: 0, templateVersion: ABLATION_TEMPLATE_VERSION },
        { phase: 'credit', agent: step.agentId, ...(context.signal ? { signal: context.signal } : {}) },
      )
    ).content;
  const ablated = predecessors.map((p) => ({ p, msgs: withoutBlock(messages, p) }));
  const missing = ablated.filter((a) => !a.msgs).map((a) => a.p.id);
  const found = ablated.filter((a): a is { p: Step; msgs: ChatMessage[] } => a.msgs !== undefined);
  if (found.length === 0) return { weights: new Map(), missing, calls: 0 };
  const [full, ...variants] = await Promise.all([run(messages), ...found.map((a) => run(a.msgs))]);
  const weights = new Map(found.map((a, i) => [a.p.id, tokenDivergence(full, variants[i])]));
  return { weights, missing, calls: 1 + found.length };
}
