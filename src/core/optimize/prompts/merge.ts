/**
 * The optional merge prompt (TRUCE §4.5): after the cheap lexical pass, an LLM may say which of the
 * remaining proposals for one agent ask for the same change in different words. It only groups;
 * the aggregator decides whether a group is allowed (same operation and target) and keeps the
 * representative text, so a merge can never invent an edit.
 */
import { z } from 'zod';
import type { ChatMessage } from '../../llm';

export const MERGE_TEMPLATE_VERSION = 'truce-merge/1';
export const MERGE_SCHEMA_NAME = 'truce_merge';

export const mergeReplySchema = z.object({
  groups: z.array(z.object({ members: z.array(z.number().int().min(0)).min(2) })).describe('sets of item numbers that request the same change'),
});
export type MergeReply = z.infer<typeof mergeReplySchema>;

export interface MergeItem {
  index: number;
  op: string;
  target?: string;
  text: string;
}

const SYSTEM = [
  '[truce:merge]',
  'You receive numbered proposals for editing the rules of one agent. Several may ask for the same change in different words.',
  'Group the numbers of proposals that ask for the same change with the same operation on the same rule. Leave out proposals that stand alone. Do not rank, rewrite or add anything.',
].join('\n');

export function buildMergeMessages(agentId: string, items: readonly MergeItem[]): ChatMessage[] {
  const lines = items.map((i) => `${i.index}. ${i.op}${i.target ? ` ${i.target}` : ''}: ${i.text || '(delete)'}`);
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `Agent: ${agentId}\n\n${lines.join('\n')}\n\nReturn the groups.` },
  ];
}
