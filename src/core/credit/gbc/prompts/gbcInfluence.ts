/**
 * The GBC judge estimator: one call per agent call (graph node) rates how strongly each input
 * block — the output of a predecessor step — shaped what the agent wrote. It stands in for the
 * paper's input-gradient connection weights when only an API model is available.
 */
import { z } from 'zod';
import type { ChatMessage } from '../../../llm';
import { clipMiddle } from '../../../eval/prompts/clip';

export const GBC_INFLUENCE_VERSION = 'gbc-influence/1';
export const GBC_INFLUENCE_SCHEMA_NAME = 'gbc_influence';
export const GBC_INFLUENCE_MARKER = '[truce:gbc-influence]';

export const GbcInfluenceSchema = z.object({
  blocks: z.array(
    z.object({
      blockId: z.string(),
      influence: z.number().min(0).max(1),
      rationale: z.string(),
    }),
  ),
});
export type GbcInfluenceReply = z.infer<typeof GbcInfluenceSchema>;

export interface GbcInfluenceInput {
  agentId: string;
  output: string;
  blocks: Array<{ blockId: string; agentId: string; text: string }>;
}

const MAX_BLOCK = 2500;
const MAX_OUTPUT = 3000;

export function gbcInfluenceMessages(input: GbcInfluenceInput): ChatMessage[] {
  const system = [
    `${GBC_INFLUENCE_MARKER} An agent in a multi-agent system received several input blocks, each written by another agent, and then wrote an output.`,
    'For every block, estimate how much the output depends on it: 1 when the output would be substantially different without the block,',
    '0 when the block left no trace in the output. Rate every block once, using its blockId exactly as written.',
  ].join('\n');
  const blocks = input.blocks.map((b) => `### Block ${b.blockId} (from ${b.agentId})\n${clipMiddle(b.text.trim() || '(empty)', MAX_BLOCK)}`);
  const user = [`## Input blocks\n\n${blocks.join('\n\n')}`, `## Output of ${input.agentId}\n\n${clipMiddle(input.output.trim() || '(empty)', MAX_OUTPUT)}`].join('\n\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}
